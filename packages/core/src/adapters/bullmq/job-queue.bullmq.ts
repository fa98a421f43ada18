import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { isAppError } from '../../errors.js';
import type { AbandonHandler, FileTask, JobQueue, QueueCounts, TaskHandler } from '../../jobs/job-queue.js';
import { silentLogger, type Logger } from '../../logger.js';
import { callRedis } from '../redis/redis-errors.js';

export interface BullMqJobQueueOptions {
  /** A connected client for producing and counting; shared, not closed here. */
  redis: Redis;
  /** @default 'files' */
  name?: string;
  /** BullMQ's key prefix. @default 'i2m:bull' */
  prefix?: string;
  /** Files this process generates at once (worker side). @default 1 */
  concurrency?: number;
  /** Attempts per file, the first included. @default 3 */
  maxAttempts?: number;
  /** Delay before the first retry; doubles with each further one. @default 1000 */
  backoffMs?: number;
  /**
   * How long a worker's claim on a running file lasts without being renewed. A worker that dies
   * (kill -9, a lost machine) gives its files back after about this long. @default 30_000
   */
  lockMs?: number;
  /** Times a file may be handed back by a dead worker before it is given up. @default 2 */
  maxStalledCount?: number;
  logger?: Logger;
}

export interface BullMqQueueStats {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Worker processes connected to this queue. */
  workers: number;
}

interface Running {
  controller: AbortController;
}

/** BullMQ's lowest priority (1 is the highest; a job without one goes before every prioritized job). */
const MAX_PRIORITY = 2_097_152;

/** One owner's backlog counter down by one, removed at zero (an owner who left leaves nothing). */
const BACKLOG_TAKE = `local left = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if left <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return left`;

/** BullMQ ids cannot contain ':'; one id per file and generation makes enqueueing idempotent. */
function jobIdOf(task: FileTask): string {
  return `${task.job_id}.${task.file_id}.g${task.generation}`;
}

/**
 * JobQueue on BullMQ: one BullMQ job per file and generation. Fair between owners without BullMQ
 * Pro's groups: each owner (API key) has a backlog counter in Redis, and a task's priority is its
 * place in its owner's backlog (the first waiting file of every owner has priority 1, the second 2,
 * …; equal priorities run in FIFO order), so a key with one photo waits for at most one file of
 * each other key's backlog, not for all of it. A retryable AppError is retried with
 * exponential backoff (BullMQ `attempts` + `backoff`), anything else becomes `UnrecoverableError`
 * (no pointless retries). A worker that dies mid-file loses its lock, and BullMQ's stalled-job
 * check hands the file to another worker. `close()` stops taking work, lets running files finish
 * within the grace period, then aborts them and hands them back to the queue (`moveToWait`).
 *
 * @example
 * const queue = new BullMqJobQueue({ redis, prefix: 'i2m:bull', concurrency: 2 });
 * queue.process((task, ctx) => jobs.processTask(task, ctx)); // worker processes only
 */
export class BullMqJobQueue implements JobQueue {
  private readonly opts: Required<Omit<BullMqJobQueueOptions, 'logger'>>;
  private readonly logger: Logger;
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private onAbandoned: AbandonHandler | null = null;
  private workerRedis: Redis | null = null;
  private readonly running = new Map<string, Running>();
  private closing = false;

  constructor(opts: BullMqJobQueueOptions) {
    this.opts = {
      redis: opts.redis,
      name: opts.name ?? 'files',
      prefix: opts.prefix ?? 'i2m:bull',
      concurrency: opts.concurrency ?? 1,
      maxAttempts: Math.max(1, opts.maxAttempts ?? 3),
      backoffMs: opts.backoffMs ?? 1000,
      lockMs: opts.lockMs ?? 30_000,
      maxStalledCount: opts.maxStalledCount ?? 2,
    };
    this.logger = opts.logger ?? silentLogger;
    this.queue = new Queue(this.opts.name, { connection: opts.redis, prefix: this.opts.prefix });
    this.queue.on('error', (error) => this.logger.warn({ err: error }, 'Queue connection error'));
  }

  async enqueue(tasks: FileTask[]): Promise<void> {
    if (this.closing || tasks.length === 0) return;
    const unique = [...new Map(tasks.map((task) => [jobIdOf(task), task]))];
    const priorities = await this.takePlaces(unique.map(([, task]) => task.owner));
    await callRedis(() =>
      this.queue.addBulk(
        unique.map(([jobId, task], index) => ({
          name: 'generate',
          data: { job_id: task.job_id, file_id: task.file_id, generation: task.generation, owner: task.owner } satisfies FileTask,
          opts: {
            jobId,
            priority: priorities[index] ?? MAX_PRIORITY,
            attempts: this.opts.maxAttempts,
            backoff: { type: 'exponential', delay: this.opts.backoffMs },
            // The job store keeps every outcome; a finished id must be free to run again (resume).
            removeOnComplete: true,
            removeOnFail: true,
          },
        })),
      ),
    );
  }

  async withoutEntry(tasks: FileTask[]): Promise<FileTask[]> {
    if (tasks.length === 0) return [];
    // Any state counts as an entry (waiting, delayed, active, even an active one whose worker
    // died: the stalled-job check hands that one back). Finished entries are removed at once.
    const exists = await callRedis(async () => {
      const pipeline = this.opts.redis.pipeline();
      for (const task of tasks) pipeline.exists(this.queue.toKey(jobIdOf(task)));
      return (await pipeline.exec()) ?? [];
    });
    return tasks.filter((_, index) => {
      const [error, found] = exists[index] ?? [null, 0];
      if (error) throw error;
      return found === 0;
    });
  }

  process(handler: TaskHandler, onAbandoned?: AbandonHandler): void {
    if (this.worker) throw new Error('BullMqJobQueue already has a handler');
    this.onAbandoned = onAbandoned ?? null;
    // Workers block on Redis: their own connection, which waits through outages instead of failing.
    const connection = this.opts.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    connection.on('error', () => undefined); // reconnects by itself; BullMQ reports through 'error' below
    this.workerRedis = connection;
    this.worker = new Worker(this.opts.name, (job, token) => this.run(handler, job, token), {
      connection,
      prefix: this.opts.prefix,
      concurrency: this.opts.concurrency,
      lockDuration: this.opts.lockMs,
      stalledInterval: this.opts.lockMs,
      maxStalledCount: this.opts.maxStalledCount,
    });
    this.worker.on('error', (error) => this.logger.warn({ err: error }, 'Queue worker error'));
    this.worker.on('stalled', (jobId) => this.logger.warn({ queue_job_id: jobId }, 'A file whose worker stopped answering is queued again'));
    // A file that stalled more than maxStalledCount times is failed by BullMQ without running the
    // handler (its `deferredFailure`): only this hook can end the file too. Should this process
    // die first, the entry is gone (removeOnFail) and resumeUnfinished queues the file again.
    this.worker.on('failed', (job, error) => {
      if (!job?.deferredFailure || !onAbandoned) return;
      this.logger.error({ queue_job_id: job.id, err: error }, 'Giving up a file whose workers kept stopping');
      onAbandoned({ ...job.data }, job.deferredFailure).catch((abandonError: unknown) =>
        this.logger.error({ err: abandonError, queue_job_id: job.id }, 'Recording a given-up file failed'),
      );
    });
  }

  async counts(): Promise<QueueCounts> {
    const counts = await callRedis(() => this.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active'));
    return { waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0 };
  }

  /** Depth by state and connected workers, for metrics. */
  async stats(): Promise<BullMqQueueStats> {
    return callRedis(async () => {
      const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
      const workers = await this.queue.getWorkersCount();
      return {
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        workers,
      };
    });
  }

  /** Tests: removes every key of this queue. */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  /**
   * Stops taking tasks; running ones get `graceMs` (default 10 s) to finish, then their signal
   * aborts and a handler that stops because of it has its file handed back to the queue.
   */
  async close(opts: { graceMs?: number } = {}): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    if (worker) {
      const closed = worker.close();
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), opts.graceMs ?? 10_000);
      });
      const outcome = await Promise.race([closed.then(() => 'closed' as const), graceOver]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.logger.info({ files: this.running.size }, 'Grace period over: handing running files back to the queue');
        for (const running of this.running.values()) running.controller.abort(new Error('Queue closed'));
        await closed;
      }
      await this.workerRedis?.quit().catch(() => this.workerRedis?.disconnect());
    }
    await this.queue.close();
  }

  /**
   * Each task's place in its owner's backlog, as its priority: the owner's counter goes up by the
   * owner's tasks at once (HINCRBY is atomic, so two API processes never hand out one place twice).
   */
  private async takePlaces(owners: string[]): Promise<number[]> {
    const counts = new Map<string, number>();
    for (const owner of owners) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    const next = new Map<string, number>();
    await callRedis(async () => {
      for (const [owner, count] of counts) next.set(owner, (await this.opts.redis.hincrby(this.backlogKey(), owner, count)) - count + 1);
    });
    return owners.map((owner) => {
      const place = next.get(owner) ?? MAX_PRIORITY;
      next.set(owner, place + 1);
      return Math.min(Math.max(place, 1), MAX_PRIORITY);
    });
  }

  private backlogKey(): string {
    return this.queue.toKey('owner-backlog');
  }

  private async run(handler: TaskHandler, job: Job<FileTask>, token: string | undefined): Promise<void> {
    // The task leaves its owner's backlog when it first starts (a retry or a hand-back after a
    // restart starts it again: the counter may then run low, which only moves that owner forward).
    if (job.attemptsMade === 0) {
      await callRedis(() => this.opts.redis.eval(BACKLOG_TAKE, 1, this.backlogKey(), job.data.owner ?? '')).catch((error: unknown) => {
        this.logger.warn({ err: error, queue_job_id: job.id }, "Updating the owner's backlog failed; fairness may drift");
      });
    }
    const controller = new AbortController();
    const key = job.id ?? jobIdOf(job.data);
    this.running.set(key, { controller });
    const maxAttempts = job.opts.attempts ?? this.opts.maxAttempts;
    const work = handler({ ...job.data, owner: job.data.owner ?? '' }, { attempt: job.attemptsMade + 1, maxAttempts, signal: controller.signal });
    work.catch(() => undefined); // after a hand-back nobody awaits it; the process is stopping
    // Once the grace period is over, stop waiting for a handler that does not react to its signal.
    const handBack = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    handBack.catch(() => undefined);
    try {
      await Promise.race([work, handBack]);
    } catch (error) {
      if (controller.signal.aborted && this.closing) {
        // Shutting down: the file goes back to the queue as it is, without using up an attempt.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const retried = isAppError(error) && error.retryable && job.attemptsMade + 1 < maxAttempts;
      if (retried) throw error; // BullMQ retries with backoff
      // The last run of this task: its file must not stay processing once the entry is gone.
      await this.onAbandoned?.({ ...job.data }, `ended with an error after attempt ${job.attemptsMade + 1}`, error).catch((abandonError: unknown) => {
        this.logger.error({ err: abandonError, queue_job_id: job.id }, 'Recording a given-up file failed');
      });
      if (isAppError(error) && error.retryable) throw error; // the attempts are used up: BullMQ fails it
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    } finally {
      this.running.delete(key);
    }
  }
}
