import type { JobListPosition } from './job-store.js';

/**
 * The list's order as one string: `created_at|job_id`. Every `created_at` is `toISOString()` (24
 * characters), so comparing these strings byte by byte is comparing (created_at, job_id): the
 * order of the embedded index's rows and of the Redis sorted sets' members (compared BYLEX).
 */
export function listOrderKey(position: JobListPosition): string {
  return `${position.created_at}|${position.job_id}`;
}

export function positionOfListKey(key: string): JobListPosition {
  const at = key.indexOf('|');
  return { created_at: key.slice(0, at), job_id: key.slice(at + 1) };
}

/**
 * Lex bounds for `created_at|job_id` keys: every key of a job created strictly after `createdAt`
 * is above `createdAt` followed by `}` (a character above `|`, so above every key with that very
 * `created_at`), and every key of a job created strictly before it is below `createdAt` alone.
 */
export function createdAfterBound(createdAt: string): string {
  return `${createdAt}}`;
}
export function createdBeforeBound(createdAt: string): string {
  return createdAt;
}

/** The lowest of exclusive upper bounds (undefined ones ignored): where a newest-first page starts. */
export function lowestBound(...bounds: (string | undefined)[]): string | undefined {
  return bounds.reduce<string | undefined>((low, bound) => (bound === undefined || (low !== undefined && low <= bound) ? low : bound), undefined);
}

/** Newest first: one list per status, each already newest first, merged into the first `limit`. */
export function mergeNewestFirst(lists: readonly JobListPosition[][], limit: number): JobListPosition[] {
  if (lists.length === 1) return (lists[0] ?? []).slice(0, limit);
  return lists
    .flat()
    .map((position) => ({ position, key: listOrderKey(position) }))
    .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0))
    .slice(0, limit)
    .map(({ position }) => position);
}
