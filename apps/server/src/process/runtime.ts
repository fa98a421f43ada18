import type { LogEntry, LogQuery } from '@image2model/api';
import { createPeriodicPass, type BlobStorage, type IdempotencyStore, type JobEvents, type JobQueue, type JobService, type JobStore, type Logger, type ModelProvider, type PeriodicPass, type StorageUsageCounter, type TaskCancellation, type WebhookFeeder, type WebhookOutbox } from '@image2model/core';
import type { RateLimiters } from '../http/rate-limit.js';
import type { WebhookSender } from './webhook-sender.js';
import type { QueueStats } from '../metrics/metrics.js';

export interface Runtime {
  store: JobStore;
  events: JobEvents;
  queue: JobQueue;
  /** Counts what it writes and deletes into `storageUsage`. */
  storage: BlobStorage;
  /** What the storage holds of jobs' blobs (see CountedBlobStorage). */
  storageUsage: StorageUsageCounter;
  provider: ModelProvider;
  jobs: JobService;
  /** Jobs' webhook deliveries: SQLite under DATA_DIR (embedded) or Redis (distributed). */
  webhookOutbox: WebhookOutbox;
  /** Sends due deliveries where webhooks are sent (embedded: on its own thread; distributed workers), once the worker starts; null elsewhere. */
  webhookSender: WebhookSender | null;
  /** Starts consuming the queue in this process and re-enqueues work a previous run left. */
  startWorker(): Promise<number>;
  close(opts?: { graceMs?: number }): Promise<void>;
}

/** What differs between the modes; everything else is built the same way. */
export interface ModeParts {
  runtime: Runtime;
  rateLimiters: RateLimiters;
  /** Where Idempotency-Keys live: DATA_DIR (embedded), Redis (distributed, shared by every API process). */
  idempotency: IdempotencyStore;
  queryLogs(query: LogQuery): Promise<LogEntry[]>;
  pingRedis?: () => Promise<boolean>;
  queueStats(): Promise<QueueStats>;
  /** Worker processes connected (distributed mode). */
  connectedWorkers?: () => Promise<number>;
  /** Called after the HTTP server stopped accepting: in-process work and Redis close here. */
  close(graceMs: number): Promise<void>;
  /** Distributed mode ends live event streams first, so clients reconnect to another process. */
  endStreams?: () => Promise<void>;
}

/** How long finished jobs are kept, and how often the ones past it are deleted. */
export interface RetentionOptions {
  /** RETENTION_HOURS: 0 keeps jobs forever (no sweeps). */
  hours: number;
  /** RETENTION_SWEEP_SECONDS. */
  sweepSeconds: number;
}

/**
 * The retention sweep: finished jobs last updated more than `hours` ago are deleted through the
 * same path as /admin/cleanup. Null when retention is off. `exclusive` keeps it to one process at
 * a time across a deployment.
 */
export function createRetentionSweep(opts: {
  jobs: JobService;
  retention: RetentionOptions;
  exclusive?: (work: () => Promise<number>) => Promise<number | null>;
  logger: Logger;
}): PeriodicPass | null {
  const { hours, sweepSeconds } = opts.retention;
  if (hours <= 0) return null;
  return createPeriodicPass({
    // A job with webhooks still to deliver waits for them (delivered or exhausted) to be deleted.
    run: async () => (await opts.jobs.cleanup(hours, { keepPendingWebhooks: true })).cleaned_files,
    intervalMs: sweepSeconds * 1000,
    ...(opts.exclusive ? { exclusive: opts.exclusive } : {}),
    what: 'Deleting jobs past their retention',
    logger: opts.logger,
  });
}

/**
 * The worker half both runtimes share: warm the provider up, consume the queue, run the first
 * reconcile pass (`firstPass`, which says how many files it queued again), then keep reconciling,
 * send webhooks (and, distributed, feed the jobs a dead process left unfed), and sweep jobs past
 * their retention (at once, then periodically); closing stops in the reverse order and leaves the
 * Redis client, if any, to its owner.
 */
export function workerLifecycle(
  parts: {
    provider: ModelProvider;
    queue: JobQueue;
    jobs: JobService;
    events: JobEvents;
    store: JobStore;
    reconciler: PeriodicPass;
    retentionSweep: PeriodicPass | null;
    cancellation: TaskCancellation;
    webhookOutbox: WebhookOutbox;
    webhookFeeder: WebhookFeeder;
    webhookSender: WebhookSender | null;
    /** Distributed mode: feeds the jobs a process left unfed (see feedUnfedJobs). */
    unfedPass?: PeriodicPass;
  },
  firstPass: () => Promise<number>,
): Pick<Runtime, 'startWorker' | 'close'> {
  const { provider, queue, jobs, events, store, reconciler, retentionSweep, cancellation, webhookOutbox, webhookFeeder, webhookSender, unfedPass } = parts;
  return {
    async startWorker() {
      await provider.warmUp?.();
      queue.process(
        (task, context) => jobs.processTask(task, context),
        (task, reason, error) => jobs.abandonTask(task, reason, error),
      );
      const resumed = await firstPass();
      reconciler.start();
      webhookSender?.start();
      unfedPass?.start({ immediately: true });
      // At once, but not awaited: a large backlog of expired jobs must not hold the start up.
      retentionSweep?.start({ immediately: true });
      return resumed;
    },
    async close({ graceMs = 10_000 } = {}) {
      await retentionSweep?.stop();
      await reconciler.stop();
      await unfedPass?.stop();
      await queue.close({ graceMs });
      await cancellation.close();
      await provider.close?.();
      // The last transitions' feeds, then attempts in flight given back, before the outbox closes.
      await webhookFeeder.idle();
      await webhookSender?.close();
      await events.close();
      await store.close();
      await webhookOutbox.close();
    },
  };
}
