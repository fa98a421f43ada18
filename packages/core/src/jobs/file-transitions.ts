import type { FileWarning, ModelShape } from './file-warnings.js';
import type { FileError, ViewSet } from './job.js';
import type { JobEventPayload } from './job-events.js';
import type { FileCondition, FilePatch, UpdateResult } from './job-store.js';

/** What a final transition announces: the file's `completed`, `failed` or `cancelled` event. */
export type FinalEvent =
  | { type: 'completed'; warnings: FileWarning[]; shape: ModelShape | null; views?: ViewSet<string> }
  | { type: 'failed'; error: FileError }
  | { type: 'cancelled' };

/** The stored event of a final transition (keys in one fixed order, whichever adapter writes it). */
export function finalEventPayload(job_id: string, file_id: string, event: FinalEvent): JobEventPayload {
  if (event.type === 'failed') return { type: 'failed', job_id, file_id, error: event.error };
  if (event.type === 'completed') return { type: 'completed', job_id, file_id, warnings: event.warnings, shape: event.shape, ...(event.views ? { views: event.views } : {}) };
  return { type: event.type, job_id, file_id };
}

/**
 * Port: a generation's state changes together with the events that announce them, so a follower
 * of the job's stream sees each change once, in order, and `done` only after every file's final
 * event. Adapters that can make change and event one atomic step do (Redis: one script); the
 * default (`createSequentialTransitions`) updates the store, then appends.
 */
export interface FileTransitions {
  /**
   * Marks a pending or processing file of `generation` processing and announces its progress
   * (before any later event of the file, though possibly after this resolves). Null when the task
   * is stale (unknown file, another generation, already final).
   */
  pickUp(jobId: string, fileId: string, generation: number): Promise<UpdateResult | null>;
  /**
   * Raises the file's progress (never lowers it) and announces the stored progress when it is
   * above `announced`, the last progress this generation announced. Null when `when` fails.
   */
  progress(jobId: string, fileId: string, progress: number, when: FileCondition, announced: number): Promise<UpdateResult | null>;
  /**
   * Marks the file final with `patch` (durably) and appends `event`, then `done` when this change
   * finished the job. Null when `when` fails (nothing is announced). With `after`, the mark is
   * not made durable, nor announced, before `after` resolves (see UpdateOptions.after).
   */
  finish(
    jobId: string,
    fileId: string,
    patch: FilePatch,
    when: FileCondition,
    event: FinalEvent,
    opts?: { after?: Promise<unknown> },
  ): Promise<UpdateResult | null>;
}
