import { AppError } from '../errors.js';
import type { JobState } from '../job-state.js';
import { isOwner } from './access.js';
import type { Access } from './job-service.js';
import type { JobStore } from './job-store.js';
import { summarizeJob, type JobSummary } from './job-summary.js';
import { decodeListCursor, encodeListCursor } from './list-cursor.js';

export interface ListJobsInput {
  /** Only jobs in one of these states; empty = any. */
  statuses: readonly JobState[];
  /** Exclusive bounds on `created_at`, any ISO 8601 instant. */
  created_after?: string;
  created_before?: string;
  /** `next_cursor` of the previous page. */
  cursor?: string;
  limit: number;
}

export interface JobPage {
  jobs: JobSummary[];
  /** Null on the last page. */
  next_cursor: string | null;
}

/**
 * One page of the caller's own jobs, newest first. Only the key that created a job lists it (an
 * admin key included; a session id lists nothing). The page is read from the store's index, then
 * each job of it, so its cost does not grow with the number of jobs stored. Positions are unique
 * and strictly ordered, so walking every page with the cursor returns each job that existed when
 * the walk began exactly once: a job created meanwhile sorts before the first page.
 */
export async function listJobs(deps: { store: JobStore; retentionHours: number }, input: ListJobsInput, access: Access): Promise<JobPage> {
  const owner = access.owner;
  if (owner === null) throw new AppError('AUTHENTICATION_REQUIRED', 'An API key is required to list jobs');
  const key = await deps.store.cursorKey();
  const after = input.cursor === undefined ? undefined : decodeListCursor(input.cursor, owner, key);
  const positions = await deps.store.listJobs({
    owner,
    statuses: input.statuses,
    ...(input.created_after !== undefined ? { created_after: instant(input.created_after, 'created_after') } : {}),
    ...(input.created_before !== undefined ? { created_before: instant(input.created_before, 'created_before') } : {}),
    ...(after ? { after } : {}),
    limit: input.limit + 1, // one more says whether there is a next page
  });
  const page = positions.slice(0, input.limit);
  const found = await Promise.all(page.map((position) => deps.store.get(position.job_id)));
  // A job deleted since the index was read is left out; the owner check guards the index itself.
  const jobs = found.flatMap((job) => (job && isOwner(job.job, access) ? [summarizeJob(job, deps.retentionHours)] : []));
  const last = page.at(-1);
  return { jobs, next_cursor: positions.length > input.limit && last ? encodeListCursor(last, owner, key) : null };
}

/** The stored form of an ISO 8601 instant (`toISOString()`), which the index compares as text. */
function instant(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AppError('VALIDATION_ERROR', `${field} must be an ISO 8601 date-time`, { details: { field } });
  return new Date(ms).toISOString();
}
