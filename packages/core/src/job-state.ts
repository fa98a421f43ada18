/**
 * The one rule for a job's status and progress, from its files. Every adapter, the Redis scripts
 * (JOB_STATE_LUA, the same rule, checked against this one by a property test) and the web app use
 * it. It imports nothing (`@image2model/core/job-state`), so the browser bundle can take it whole.
 */

export type FileStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled';
export type JobState = 'processing' | 'completed' | 'failed' | 'partial' | 'cancelled';
/** The statuses a file ends in: nothing runs for it until generate-single or retry starts it again. */
export const FINAL_FILE_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly FileStatus[];
export type FinalFileStatus = (typeof FINAL_FILE_STATUSES)[number];

export function isFinalFileStatus(status: FileStatus): status is FinalFileStatus {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/** How many of a job's files are in each kind of state: all the status rule needs. */
export interface FileTally {
  total: number;
  /** pending or processing */
  unfinished: number;
  failed: number;
  cancelled: number;
}

export function tallyFiles(files: readonly { status: FileStatus }[]): FileTally {
  const tally: FileTally = { total: files.length, unfinished: 0, failed: 0, cancelled: 0 };
  for (const { status } of files) {
    if (status === 'failed') tally.failed += 1;
    else if (status === 'cancelled') tally.cancelled += 1;
    else if (status !== 'completed') tally.unfinished += 1;
  }
  return tally;
}

/**
 * processing while any file is unfinished; then completed when all completed, cancelled when all
 * were cancelled, failed when none completed and at least one failed, partial otherwise.
 */
export function jobStateOfTally({ total, unfinished, failed, cancelled }: FileTally): JobState {
  if (unfinished > 0) return 'processing';
  if (failed === 0 && cancelled === 0) return 'completed';
  if (cancelled === total) return 'cancelled';
  if (failed + cancelled === total && failed > 0) return 'failed';
  return 'partial';
}

export function deriveJobState(files: readonly { status: FileStatus }[]): JobState {
  return jobStateOfTally(tallyFiles(files));
}

/**
 * Mean of the files' progress, every final file (completed, failed or cancelled) counting 100,
 * rounded to two decimals. A cancelled file keeps its own last progress; the job counts it done.
 */
export function deriveJobProgress(files: readonly { status: FileStatus; progress: number }[]): number {
  if (files.length === 0) return 0;
  const sum = files.reduce((acc, f) => acc + (isFinalFileStatus(f.status) ? 100 : f.progress), 0);
  return Math.round((sum / files.length) * 100) / 100;
}

/**
 * jobStateOfTally in Lua, for the Redis scripts that update a file and its job's tally atomically.
 * Kept beside the TypeScript rule; `job-state.redis.test.ts` runs both over every small tally.
 */
export const JOB_STATE_LUA = `
local function job_status(total, unfinished, failed, cancelled)
  if unfinished > 0 then return 'processing' end
  if failed == 0 and cancelled == 0 then return 'completed' end
  if cancelled == total then return 'cancelled' end
  if failed + cancelled == total and failed > 0 then return 'failed' end
  return 'partial'
end
`;
