import { AppError } from '../errors.js';
import type { JobStore } from './job-store.js';

/**
 * What a key refused for its active files is told to wait (`Retry-After`): a short estimate, since
 * when a slot frees depends on generations this service cannot time (a local one takes seconds,
 * FAL's minutes); the client may as well cancel files instead.
 */
export const ACTIVE_FILES_RETRY_AFTER_SECONDS = 10;

/**
 * MAX_ACTIVE_FILES_PER_KEY: an upload, retry or generate-single that would take one key's pending +
 * processing files past `limit` is refused (429 `RATE_LIMIT_EXCEEDED`, `details.reason:
 * "active_files"`) before anything is stored or restarted.
 *
 * The count is read, then the work is done: two requests of one key checked at the same moment may
 * both pass, so the limit can be overshot by the files of requests admitted together (in practice
 * one request's). An exact bound would need the check inside every store write that starts files;
 * a fairness limit does not need it.
 */
export async function admitActiveFiles(store: JobStore, owner: string, requested: number, limit: number): Promise<void> {
  const active = await store.activeFiles(owner);
  if (active + requested <= limit) return;
  throw new AppError(
    'RATE_LIMIT_EXCEEDED',
    `Too many files in progress for this API key: ${active} pending or processing, and this request adds ${requested} (at most ${limit}). Wait for some to finish, or cancel some, then try again`,
    { details: { reason: 'active_files', limit, active_files: active, requested, retry_after: ACTIVE_FILES_RETRY_AFTER_SECONDS } },
  );
}
