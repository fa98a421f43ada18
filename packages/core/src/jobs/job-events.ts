import type { JobState } from '../job-state.js';
import type { FileWarning, ModelShape } from './file-warnings.js';
import type { ViewSet } from './job.js';

/**
 * Events of one job, in order. They carry ids, never URLs: the API builds a `completed` event's
 * `model_url` when it sends it. (Logs written before that held a `model_url` path; readers ignore it.)
 * A `completed` event carries the file's warnings and shape; logs written before them lack both
 * (the API sends `[]` and null). A multiview file's also names its views (each view's filename).
 */
export type JobEventPayload =
  | { type: 'progress'; job_id: string; file_id: string; progress: number }
  | { type: 'log'; job_id: string; file_id: string; message: string; level?: 'info' | 'warning' }
  | { type: 'completed'; job_id: string; file_id: string; warnings?: FileWarning[]; shape?: ModelShape | null; views?: ViewSet<string> }
  | { type: 'failed'; job_id: string; file_id: string; error: { code: string; message: string } }
  | { type: 'cancelled'; job_id: string; file_id: string }
  | { type: 'done'; job_id: string; status: Exclude<JobState, 'processing'> };

/** An event as stored: `id` increases within a job, across restarts too (opaque string). */
export type JobEvent = JobEventPayload & { id: string };

/** Port: a per-job ordered, replayable event log that can also be followed live. */
export interface JobEvents {
  /**
   * Appends and publishes; assigns the id. An event that cannot be stored may still be published
   * (FsJobEvents does, with an id that says so), so followers are never left waiting for it.
   */
  append(jobId: string, event: JobEventPayload): Promise<JobEvent>;
  /** Every stored event after `lastEventId` (all of them for null or an unknown id). */
  since(jobId: string, lastEventId: string | null): Promise<JobEvent[]>;
  /**
   * Live events from the moment of the call, until `signal` aborts. Subscribe before calling
   * `since`, then skip ids already replayed, so nothing falls between replay and live.
   */
  subscribe(jobId: string, opts: { signal: AbortSignal }): AsyncIterable<JobEvent>;
  /** Compares two ids of one job: negative when a is older. */
  compareIds(a: string, b: string): number;
  delete(jobId: string): Promise<void>;
  close(): Promise<void>;
}
