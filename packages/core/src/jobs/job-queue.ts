/** One generation of one file: what identifies a task. */
export interface TaskIdentity {
  job_id: string;
  file_id: string;
  generation: number;
}

/** One unit of work: generate one file at one generation. */
export interface FileTask extends TaskIdentity {
  /**
   * The job's owner (its API key's hash): the queues take turns between owners, so one key's
   * backlog does not hold back another key's files. '' for a task queued before owners were
   * recorded (it shares one turn).
   */
  owner: string;
}

export interface TaskContext {
  /** 1-based attempt number. */
  attempt: number;
  maxAttempts: number;
  signal: AbortSignal;
}

export type TaskHandler = (task: FileTask, context: TaskContext) => Promise<void>;

/**
 * Called when the queue gives a task up for good without it having ended its file: its handler
 * threw and will not be run again (the error is not retried, or it was the last attempt; not on
 * shutdown), or (BullMQ) its workers kept dying on it, `maxStalledCount` times. The file is failed
 * there instead of staying pending or processing with no worker on it. `reason` is for the log;
 * `error` is what the handler threw, when it ran.
 */
export type AbandonHandler = (task: FileTask, reason: string, error?: unknown) => Promise<void>;

export interface QueueCounts {
  waiting: number;
  active: number;
}

/**
 * Port: runs FileTasks with bounded concurrency. A handler that throws an AppError with
 * `retryable: true` is retried with backoff up to `maxAttempts`; any other throw ends the task.
 */
export interface JobQueue {
  enqueue(tasks: FileTask[]): Promise<void>;
  /** The tasks that have no live entry in the queue (waiting, backing off or running). */
  withoutEntry(tasks: FileTask[]): Promise<FileTask[]>;
  /** Starts consuming with the handler (workers; the embedded server does it in-process). */
  process(handler: TaskHandler, onAbandoned?: AbandonHandler): void;
  counts(): Promise<QueueCounts>;
  /** Stops taking tasks and waits for the running ones (or aborts them after the grace period). */
  close(opts?: { graceMs?: number }): Promise<void>;
}
