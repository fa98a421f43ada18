import type { FileStatus, JobState } from '../job-state.js';
import type { JobFileRecord, JobRecord, JobWithFiles } from './job.js';

export type FilePatch = Partial<
  Pick<
    JobFileRecord,
    | 'status'
    | 'model_task_id'
    | 'face_limit'
    | 'error'
    | 'model_key'
    | 'preview_key'
    | 'remote_model_url'
    | 'warnings'
    | 'shape'
    | 'tripo_options'
  >
> & {
  /** Applied as max(current, value): progress never goes backwards within a generation. */
  progress?: number;
};

/** What a new generation of a file starts with; `tripo_options` replaces the file's when given. */
export type RestartPatch = Pick<JobFileRecord, 'face_limit' | 'model_task_id' | 'tripo_options'>;

export interface FileCondition {
  /** Only update when the file is in one of these states. */
  status?: readonly FileStatus[];
  /** Only update when the file is still at this generation. */
  generation?: number;
}

export interface UpdateResult {
  file: JobFileRecord;
  /** The job's status right after this update (all files considered atomically). */
  job_status: JobState;
  /** True when this very update moved the job from processing to a terminal status. */
  job_finished: boolean;
}

export interface UpdateOptions {
  /**
   * `lazy`: the change may reach durable storage after the promise resolves, so a crash can lose
   * it. Only for changes a restart redoes anyway (progress, the `processing` mark: a restart
   * resumes pending and processing files alike). @default 'durable'
   */
  durability?: 'durable' | 'lazy';
  /**
   * The change must not become durable before this resolves (e.g. the files it points at are on
   * stable storage), so it may still be lost in a crash until then. The store may already apply
   * it and prepare its write meanwhile; if `after` rejects, so does the update.
   */
  after?: Promise<unknown>;
}

/** A job's place in its owner's list: newest `created_at` first, ties broken by `job_id`, descending. */
export interface JobListPosition {
  created_at: string;
  job_id: string;
}

/** One page of an owner's jobs, read from the store's index (never by reading every job). */
export interface JobListQuery {
  owner: string;
  /** Only jobs whose status (core's rule, kept current with every update) is one of these; empty = any. */
  statuses: readonly JobState[];
  /** Exclusive bounds on `created_at`, in `toISOString()` form. */
  created_after?: string;
  created_before?: string;
  /** Only jobs strictly after this position (the last one of the previous page). */
  after?: JobListPosition;
  limit: number;
}

/** A finished job (any status but processing), oldest `updated_at` first, ties by `job_id`. */
export interface FinishedJobPosition {
  updated_at: string;
  job_id: string;
}

export interface FinishedJobQuery {
  /** Only jobs last updated strictly before this instant (`toISOString()` form). */
  updated_before: string;
  /** Only jobs strictly after this position. */
  after?: FinishedJobPosition;
  limit: number;
}

export interface JobCounts {
  active: number;
  completed: number;
  failed: number;
  partial: number;
  cancelled: number;
}

/** Port: job and file state. Every method is atomic on its own. */
export interface JobStore {
  create(job: JobRecord, files: JobFileRecord[]): Promise<void>;
  get(jobId: string): Promise<JobWithFiles | null>;
  getFile(jobId: string, fileId: string): Promise<JobFileRecord | null>;
  /** Null when the job/file does not exist or the condition does not hold. */
  updateFile(jobId: string, fileId: string, patch: FilePatch, condition?: FileCondition, opts?: UpdateOptions): Promise<UpdateResult | null>;
  /**
   * Starts a new generation of one file: status pending, progress 0, error/model cleared, generation+1.
   * Null when the condition does not hold (e.g. the file is already pending or processing).
   */
  restartFile(
    jobId: string,
    fileId: string,
    patch: RestartPatch,
    condition: FileCondition,
  ): Promise<UpdateResult | null>;
  /** Replaces the job's webhook URL (for the events that follow); false when the job does not exist. */
  setWebhookUrl(jobId: string, url: string): Promise<boolean>;
  /**
   * The job's webhook URL; null when it has none or does not exist. One small read, so the many
   * finished files of jobs without webhooks cost no reading of the whole job.
   */
  webhookUrlOf(jobId: string): Promise<string | null>;
  /**
   * Records that the job's log is fed to webhooks up to `eventId` (JobRecord.webhook_cursor). It
   * never moves back: several processes may feed one job at once, and the one that read less
   * must not undo the other. It need not be durable at once: a lost cursor only makes the next
   * feed queue the same deliveries again, which the outbox ignores (their ids are derived). A
   * deleted job stays deleted.
   */
  setWebhookCursor(jobId: string, eventId: string): Promise<void>;
  /** Positions of one owner's jobs, newest first (see JobListQuery), from an index. */
  listJobs(query: JobListQuery): Promise<JobListPosition[]>;
  /** Finished jobs last updated before a threshold, oldest first, from an index: what retention deletes. */
  listFinished(query: FinishedJobQuery): Promise<FinishedJobPosition[]>;
  /**
   * A random key made once per deployment and kept with the jobs (every API process reads the
   * same one): it signs list cursors, so a cursor cannot be forged or used by another key.
   */
  cursorKey(): Promise<Buffer>;
  /**
   * How many of one owner's files are pending or processing, summed over the owner's processing
   * jobs in the index (each job's count is kept with its index entry, changed in the same step as
   * its files): exact as of one instant, and as cheap as that owner's unfinished jobs are few.
   */
  activeFiles(owner: string): Promise<number>;
  /** Files that are pending or processing, across all jobs (work to resume after a restart), found through an index of processing jobs. */
  listUnfinished(): Promise<{ job_id: string; file: JobFileRecord }[]>;
  counts(): Promise<JobCounts>;
  /** Deletes the job's record, its files' records and every index entry of it. */
  delete(jobId: string): Promise<void>;
  close(): Promise<void>;
}
