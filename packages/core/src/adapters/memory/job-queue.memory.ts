import { isAppError } from '../../errors.js';
import type { AbandonHandler, FileTask, JobQueue, QueueCounts, TaskHandler } from '../../jobs/job-queue.js';
import { silentLogger, type Logger } from '../../logger.js';

export interface MemoryJobQueueOptions {
  /** Tasks run at the same time. */
  concurrency: number;
  /** Attempts per task, the first included. @default 3 */
  maxAttempts?: number;
  /** Delay before the first retry; doubles with each further one. @default 1000 */
  backoffMs?: number;
  logger?: Logger;
}

interface Entry {
  task: FileTask;
  attempt: number;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

function keyOf(task: FileTask): string {
  return `${task.job_id}\u0000${task.file_id}\u0000${task.generation}`;
}

/**
 * The embedded queue: bounded concurrency, retries with exponential backoff, and fair between
 * owners: each owner (API key) has its own FIFO lane, and a free slot goes to the lanes in turn,
 * so one key's backlog of a hundred files does not hold back another key's single photo. Tasks
 * live only in memory; the job store is the source of truth and `JobService.resumeUnfinished()`
 * re-enqueues after a restart.
 *
 * @example
 * const queue = new MemoryJobQueue({ concurrency: 2 });
 * queue.process((task, ctx) => service.processTask(task, ctx));
 */
export class MemoryJobQueue implements JobQueue {
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly logger: Logger;
  /** Waiting tasks, one FIFO lane per owner; the lane served last goes to the back. */
  private readonly lanes = new Map<string, Entry[]>();
  private waitingCount = 0;
  /** Keys waiting, backing off or running: a task is never queued twice. */
  private readonly known = new Set<string>();
  private readonly running = new Set<Running>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private handler: TaskHandler | null = null;
  private onAbandoned: AbandonHandler | null = null;
  private closed = false;

  constructor(opts: MemoryJobQueueOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) throw new Error('concurrency must be a positive integer');
    this.concurrency = opts.concurrency;
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
    this.backoffMs = opts.backoffMs ?? 1000;
    this.logger = opts.logger ?? silentLogger;
  }

  async enqueue(tasks: FileTask[]): Promise<void> {
    if (this.closed) {
      this.logger.debug({ tasks: tasks.length }, 'Queue closed; tasks left to resume after restart');
      return;
    }
    for (const task of tasks) {
      const key = keyOf(task);
      if (this.known.has(key)) continue;
      this.known.add(key);
      this.addWaiting({ task: { ...task }, attempt: 1 });
    }
    this.pump();
  }

  async withoutEntry(tasks: FileTask[]): Promise<FileTask[]> {
    return tasks.filter((task) => !this.known.has(keyOf(task)));
  }

  process(handler: TaskHandler, onAbandoned?: AbandonHandler): void {
    if (this.handler) throw new Error('MemoryJobQueue already has a handler');
    this.handler = handler;
    this.onAbandoned = onAbandoned ?? null;
    this.pump();
  }

  async counts(): Promise<QueueCounts> {
    return { waiting: this.waitingCount + this.retryTimers.size, active: this.running.size };
  }

  /** Stops taking work; waits up to `graceMs` (default 10 s) for running tasks, then aborts them. */
  async close(opts: { graceMs?: number } = {}): Promise<void> {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.lanes.clear();
    this.waitingCount = 0;
    const running = [...this.running];
    const all = Promise.allSettled(running.map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), opts.graceMs ?? 10_000);
    });
    const outcome = await Promise.race([all, graceOver]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      for (const r of running) r.controller.abort(new Error('Queue closed'));
      await all;
    }
    this.known.clear();
  }

  private pump(): void {
    const handler = this.handler;
    if (!handler || this.closed) return;
    while (this.running.size < this.concurrency) {
      const entry = this.nextWaiting();
      if (!entry) return;
      this.start(handler, entry);
    }
  }

  private addWaiting(entry: Entry): void {
    const lane = this.lanes.get(entry.task.owner);
    if (lane) lane.push(entry);
    else this.lanes.set(entry.task.owner, [entry]);
    this.waitingCount += 1;
  }

  /** The head of the first lane (Map order); that lane then goes to the back of the turn. */
  private nextWaiting(): Entry | undefined {
    for (const [owner, lane] of this.lanes) {
      this.lanes.delete(owner);
      const entry = lane.shift();
      if (lane.length > 0) this.lanes.set(owner, lane);
      if (entry) {
        this.waitingCount -= 1;
        return entry;
      }
    }
    return undefined;
  }

  private start(handler: TaskHandler, entry: Entry): void {
    const controller = new AbortController();
    const context = { attempt: entry.attempt, maxAttempts: this.maxAttempts, signal: controller.signal };
    const running: Running = { controller, done: Promise.resolve() };
    running.done = Promise.resolve()
      .then(() => handler({ ...entry.task }, context))
      .then(
        () => {
          this.known.delete(keyOf(entry.task));
        },
        (error: unknown) => this.onFailure(entry, error, controller.signal),
      )
      .finally(() => {
        this.running.delete(running);
        this.pump();
      });
    this.running.add(running);
  }

  private async onFailure(entry: Entry, error: unknown, signal: AbortSignal): Promise<void> {
    const key = keyOf(entry.task);
    if (this.closed || signal.aborted) {
      // Shutting down: the file stays as it is and is resumed after the restart.
      this.known.delete(key);
      return;
    }
    const retryable = isAppError(error) && error.retryable;
    if (!retryable || entry.attempt >= this.maxAttempts) {
      this.logger.warn({ err: error, ...entry.task, attempt: entry.attempt }, 'Task ended with an error');
      // Its file must not stay pending or processing with nothing running it. The key stays known
      // meanwhile, so the task is not queued again while its failure is being recorded.
      await this.onAbandoned?.({ ...entry.task }, `ended with an error after attempt ${entry.attempt}`, error).catch((abandonError: unknown) => {
        this.logger.error({ err: abandonError, ...entry.task }, 'Recording a given-up file failed');
      });
      this.known.delete(key);
      return;
    }
    const delay = this.backoffMs * 2 ** (entry.attempt - 1);
    this.logger.info({ ...entry.task, attempt: entry.attempt, delay_ms: delay }, 'Retrying task after backoff');
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.addWaiting({ task: entry.task, attempt: entry.attempt + 1 });
      this.pump();
    }, delay);
    this.retryTimers.add(timer);
  }
}
