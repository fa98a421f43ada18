import { hash } from 'node:crypto';

/** JSON with every object's keys sorted, so two equal inputs always print the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, field]) => field !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([name, field]) => `${JSON.stringify(name)}:${canonicalJson(field)}`).join(',')}}`;
}

/**
 * What makes two requests "the same request" under one key: the operation and its input, hashed.
 * An upload's input is its files' content hashes, names and order, plus its fields.
 */
export function requestFingerprint(operation: string, input: unknown): string {
  return hash('sha256', canonicalJson({ operation, input }), 'hex');
}
