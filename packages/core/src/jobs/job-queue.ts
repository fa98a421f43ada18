/** One unit of work: generate one file at one generation. */
export interface FileTask {
  job_id: string;
  file_id: string;
  generation: number;
}

export interface TaskContext {
  /** 1-based attempt number. */
  attempt: number;
  maxAttempts: number;
  signal: AbortSignal;
}

export type TaskHandler = (task: FileTask, context: TaskContext) => Promise<void>;

/**
 * Called when the queue gives a task up without running its handler again (BullMQ: its workers
 * kept dying on it, `maxStalledCount` times), so its file can be failed instead of staying
 * processing. `reason` is the queue's own words, for the log.
 */
export type AbandonHandler = (task: FileTask, reason: string) => Promise<void>;

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
  /** Starts consuming with the handler (workers; the embedded server does it in-process). */
  process(handler: TaskHandler, onAbandoned?: AbandonHandler): void;
  counts(): Promise<QueueCounts>;
  /** Stops taking tasks and waits for the running ones (or aborts them after the grace period). */
  close(opts?: { graceMs?: number }): Promise<void>;
}
