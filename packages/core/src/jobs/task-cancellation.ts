import type { TaskIdentity } from './job-queue.js';

/**
 * Port: tells whichever process is generating a file that the file was cancelled, so its worker
 * stops at once instead of finishing work nobody will keep. Best effort: a task that misses the
 * message still ends as stale (its final mark's condition fails, and its result is dropped).
 */
export interface TaskCancellation {
  /** Tells every listener, in every process, that this generation of the file was cancelled. */
  announce(task: TaskIdentity): Promise<void>;
  /** Calls `onCancel` for each announcement until the returned function is called. */
  listen(onCancel: (task: TaskIdentity) => void): () => void;
  close(): Promise<void>;
}

/** The key a running task is registered under: one generation of one file. */
export function taskKey(task: TaskIdentity): string {
  return `${task.job_id}/${task.file_id}/${task.generation}`;
}

/** How long a cancel waits for the provider to confirm its task's cancel (FAL retries transient failures). */
export const PROVIDER_CANCEL_TIMEOUT_MS = 10_000;

/**
 * How long a task stopped by a cancel's announcement waits for the cancel to be recorded before it
 * generates on: longer than the canceller may wait on the provider between the two.
 */
export const CANCEL_RECORD_WAIT_MS = PROVIDER_CANCEL_TIMEOUT_MS + 5_000;
