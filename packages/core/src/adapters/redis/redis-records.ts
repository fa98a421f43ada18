import type { JobFileRecord } from '../../jobs/job.js';
import { upgradeFileRecord } from '../../jobs/file-warnings.js';

/** [field, JSON value, …] for every defined field, in the record's own order. */
export function encodeFields(record: object): string[] {
  const flat: string[] = [];
  for (const [field, value] of Object.entries(record)) {
    if (value !== undefined) flat.push(field, JSON.stringify(value));
  }
  return flat;
}

/** A hash of JSON values back into a record (fields we do not know about included). */
export function decodeFields<T>(hash: Record<string, string>): T {
  return Object.fromEntries(Object.entries(hash).map(([field, value]) => [field, JSON.parse(value) as unknown])) as T;
}

/** A file's hash as today's record: older records' string warnings and missing shape upgraded. */
export function decodeFile(hash: Record<string, string>): JobFileRecord {
  return upgradeFileRecord(decodeFields<JobFileRecord>(hash));
}

/** HGETALL's flat [field, value, …] reply (as Lua returns it) as an object. */
export function pairsToHash(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
  return hash;
}

export function isEmptyHash(hash: Record<string, string>): boolean {
  return Object.keys(hash).length === 0;
}
