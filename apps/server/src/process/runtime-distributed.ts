import type { Redis } from 'ioredis';
import type { Logger as PinoLogger } from 'pino';
import { CountedBlobStorage, createJobService, createPeriodicPass, feedUnfedJobs, reconcileStorageUsage, type BlobStorage, type Logger, type ModelProvider, type ModelConverter, type ModelRedirect, type PhotoUrls, type WebhookSubscriptionConfig } from '@image2model/core';
import { BullMqJobQueue, callRedis, RedisFileTransitions, RedisIdempotencyStore, RedisJobEvents, RedisJobStore, RedisStorageUsage, RedisTaskCancellation, RedisUnfedJobs, RedisWebhookOutbox, withRedisLock } from '@image2model/core/distributed';
import { createDispatcher, createFeeder, type WebhookSending } from './webhook-delivery.js';
import { retentionOf, webhooksOf, type Env } from '../env.js';
import type { QueueStats } from '../metrics/metrics.js';
import { createRedisRateLimiters } from '../http/rate-limit.js';
import type { RedisLogStream } from '../logging/redis-log-stream.js';
import { logRedisState, pingRedis } from './redis.js';
import { verifySharedStorage } from './shared-storage.js';
import { modelRedirectOf, type OpenedStorage } from './blob-storage.js';
import { defaultConcurrency } from './provider.js';
import { createRetentionSweep, workerLifecycle, type ModeParts, type RetentionOptions, type Runtime } from './runtime.js';

export interface DistributedRuntimeOptions {
  /** The process's connected command client; the caller closes it, last. */
  redis: Redis;
  /** Prepended to every key (REDIS_PREFIX). */
  prefix: string;
  /** Photos, models and previews: the shared DATA_DIR, or a bucket (see openBlobStorage). */
  storage: BlobStorage;
  uploadTempDir: string;
  logger: Logger;
  provider: ModelProvider;
  /** See JobServiceDeps.generationTimeoutMs. */
  generationTimeoutMs?: number;
  /** Files a worker process generates at once. @default defaultConcurrency(provider) */
  concurrency?: number;
  /** How long a worker's claim on a file lasts without renewal (WORKER_LOCK_MS). @default 30_000 */
  lockMs?: number;
  /** Workers: how often files with no queue entry are queued again (RECONCILE_INTERVAL_MS). @default 60_000 */
  reconcileIntervalMs?: number;
  /** Workers sweep, one at a time across the deployment. @default { hours: 0 } (jobs kept forever) */
  retention?: RetentionOptions;
  /** API processes: see JobServiceDeps.maxActiveFilesPerOwner. */
  maxActiveFilesPerKey?: number;
  /** API processes: see JobServiceDeps.webhooks. */
  webhooks?: WebhookSubscriptionConfig;
  /** API processes: see JobServiceDeps.modelRedirect. */
  modelRedirect?: ModelRedirect | undefined;
  /** API processes: see JobServiceDeps.converter. */
  converter?: ModelConverter | undefined;
  /** Workers: see JobServiceDeps.photoUrls. */
  photoUrls?: PhotoUrls | undefined;
  /** PUBLIC_URL, for webhooks' `model_url`. @default null */
  publicUrl?: string | null;
  /** Workers: how webhooks are sent; none (API processes): they are only queued. */
  webhookSending?: WebhookSending;
}

export interface DistributedRuntime extends Runtime {
  queue: BullMqJobQueue;
  events: RedisJobEvents;
  /** The readiness check: does Redis answer right now? */
  pingRedis(): Promise<boolean>;
  queueStats(): Promise<QueueStats>;
}

/**
 * Distributed mode (REDIS_URL set): job state in Redis hashes, events in Redis streams, the queue
 * on BullMQ, blobs on the shared DATA_DIR or in a bucket. The same shape as the embedded runtime, so the app and
 * the job service cannot tell the difference. API processes only produce work; worker processes
 * (`npm run start:worker`) call `startWorker()` and consume it.
 */
export async function createDistributedRuntime(opts: DistributedRuntimeOptions): Promise<DistributedRuntime> {
  const { redis, prefix, logger, provider } = opts;
  const store = new RedisJobStore({ redis, prefix });
  // Jobs made before the list index existed are entered into it before anything lists or resumes work.
  await store.migrateIndex(logger);
  const events = new RedisJobEvents({ redis, prefix, logger });
  // Counted in one Redis hash by every process; the first process of a deployment's start sets the
  // counts right with one listing (the others within 10 minutes trust them).
  const storageUsage = new RedisStorageUsage({ redis, prefix });
  const storage = new CountedBlobStorage(opts.storage, storageUsage);
  if ((await callRedis(() => redis.set(`${prefix}storage-usage:reconciled`, '1', 'EX', 600, 'NX'))) === 'OK') await reconcileStorageUsage(storage, storageUsage, logger);
  const queue = new BullMqJobQueue({ redis, prefix: `${prefix}bull`, concurrency: opts.concurrency ?? defaultConcurrency(provider), lockMs: opts.lockMs ?? 30_000, logger });
  // Each state change and its event (and `done`) in one script: one round trip, and atomic.
  const transitions = new RedisFileTransitions({ redis, prefix });
  // A cancel sent to any API process reaches the worker process running the file.
  const cancellation = new RedisTaskCancellation({ redis, prefix, logger });
  const retention = opts.retention ?? { hours: 0, sweepSeconds: 300 };
  const webhookOutbox = new RedisWebhookOutbox({ redis, prefix });
  const webhookSender = opts.webhookSending ? createDispatcher(webhookOutbox, opts.webhookSending, logger) : null;
  const unfed = new RedisUnfedJobs({ redis, prefix });
  const webhookFeeder = createFeeder({ store, events, outbox: webhookOutbox, logger, publicUrl: opts.publicUrl ?? null, retentionHours: retention.hours, unfed, sender: webhookSender });
  const jobs = createJobService({
    store,
    queue,
    events,
    storage,
    provider,
    logger,
    uploadTempDir: opts.uploadTempDir,
    generationTimeoutMs: opts.generationTimeoutMs,
    transitions,
    cancellation,
    retentionHours: retention.hours,
    maxActiveFilesPerOwner: opts.maxActiveFilesPerKey,
    webhooks: opts.webhooks,
    webhookOutbox,
    modelRedirect: opts.modelRedirect,
    photoUrls: opts.photoUrls,
    webhookFeeder,
    converter: opts.converter,
  });
  // Finds files whose queue entry was lost (a crash between BullMQ's state and ours, an upload or
  // a restart whose queueing failed) and queues them; one worker at a time across the deployment.
  const reconcileIntervalMs = opts.reconcileIntervalMs ?? 60_000;
  const reconciler = createPeriodicPass({
    run: () => jobs.resumeUnfinished(),
    intervalMs: reconcileIntervalMs,
    // A pass takes milliseconds; a holder killed mid-pass blocks the others for at most this long.
    exclusive: (work) => withRedisLock(redis, `${prefix}reconcile-lock`, 15_000, work),
    what: 'Reconciling the queue with the job store',
    logger,
  });
  // Exactly one worker sweeps at a time; a holder killed mid-sweep blocks the others for at most 5 minutes.
  const retentionSweep = createRetentionSweep({
    jobs,
    retention,
    exclusive: (work) => withRedisLock(redis, `${prefix}retention-lock`, 300_000, work),
    logger,
  });

  // Final events whose feeding a process's death cut off (the transition script marked their job):
  // fed by one worker at a time, at start and then as often as the reconciler runs.
  const unfedPass = createPeriodicPass({
    run: () => feedUnfedJobs(webhookFeeder, unfed),
    intervalMs: reconcileIntervalMs,
    exclusive: (work) => withRedisLock(redis, `${prefix}webhook-feed-lock`, 60_000, work),
    what: 'Queueing the webhooks of jobs left unfed',
    logger,
  });

  // BullMQ keeps queued work across restarts; the first pass re-queues files whose queue entry was
  // lost (e.g. Redis restored from an older snapshot), unless another worker is at it.
  const lifecycle = workerLifecycle({ provider, queue, jobs, events, store, reconciler, retentionSweep, cancellation, webhookOutbox, webhookFeeder, webhookSender, unfedPass }, async () => (await reconciler.runOnce()) ?? 0);
  return {
    store,
    events,
    queue,
    storage,
    storageUsage,
    provider,
    jobs,
    webhookOutbox,
    webhookSender,
    startWorker: lifecycle.startWorker,
    pingRedis: () => pingRedis(redis),
    queueStats: () => queue.stats(),
    /** Hands running work back, then stops following events; the Redis client stays open. */
    close: lifecycle.close,
  };
}

/** Distributed mode: Redis state and events, BullMQ, Redis rate limits, idempotency keys and logs; no worker here. */
export async function distributedParts(opts: {
  env: Env;
  redis: Redis;
  redisLogs: RedisLogStream;
  opened: OpenedStorage;
  uploadTempDir: string;
  logger: PinoLogger;
  provider: ModelProvider;
  converter: ModelConverter;
}): Promise<ModeParts> {
  const { env, redis, redisLogs, logger } = opts;
  logRedisState(redis, logger);
  await verifySharedStorage({ opened: opts.opened, redis, prefix: env.REDIS_PREFIX, role: 'API' });
  const runtime = await createDistributedRuntime({
    redis,
    prefix: env.REDIS_PREFIX,
    storage: opts.opened.storage,
    uploadTempDir: opts.uploadTempDir,
    logger,
    provider: opts.provider,
    lockMs: env.WORKER_LOCK_MS,
    retention: retentionOf(env),
    maxActiveFilesPerKey: env.MAX_ACTIVE_FILES_PER_KEY,
    webhooks: webhooksOf(env),
    modelRedirect: modelRedirectOf(env),
    converter: opts.converter,
    publicUrl: env.PUBLIC_URL ?? null,
  });
  return {
    runtime,
    rateLimiters: createRedisRateLimiters({ redis, prefix: env.REDIS_PREFIX, perMinute: env.RATE_LIMIT_PER_MINUTE, perHour: env.RATE_LIMIT_PER_HOUR }),
    idempotency: new RedisIdempotencyStore({ redis, prefix: env.REDIS_PREFIX }),
    queryLogs: (query) => callRedis(() => redisLogs.query(query)),
    pingRedis: () => runtime.pingRedis(),
    queueStats: () => runtime.queueStats(),
    connectedWorkers: async () => (await runtime.queueStats()).workers ?? 0,
    endStreams: () => runtime.events.close(),
    async close(graceMs) {
      await runtime.close({ graceMs });
      await redisLogs.close();
      // Redis last: everything above may still write to it.
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
