import {
  CountedBlobStorage,
  createJobService,
  createPeriodicPass,
  FsIdempotencyStore,
  FsJobEvents,
  FsJobStore,
  FsStorageUsage,
  MemoryJobQueue,
  MemoryTaskCancellation,
  reconcileStorageUsage,
  SqliteWebhookOutbox,
  type BlobStorage,
  type JobQueue,
  type JobStore,
  type Logger,
  type ModelConverter,
  type ModelProvider,
  type ModelRedirect,
  type PhotoUrls,
  type WebhookSubscriptionConfig,
} from '@image2model/core';
import { join } from 'node:path';
import type { Env } from '../env.js';
import type { LogBuffer } from '../logging/log-buffer.js';
import { createMemoryRateLimiters } from '../http/rate-limit.js';
import { defaultConcurrency, generationTimeoutMs } from './provider.js';
import { retentionOf, webhooksOf } from '../env.js';
import { modelRedirectOf, photoUrlsOf } from './blob-storage.js';
import { createRetentionSweep, workerLifecycle, type ModeParts, type RetentionOptions, type Runtime } from './runtime.js';
import { createFeeder, type WebhookSending } from './webhook-delivery.js';
import { startSenderThread } from './webhook-sender.js';
import { webhookSendingOf } from '../env.js';

export interface EmbeddedRuntimeOptions {
  dataDir: string;
  /** Photos, models and previews: DATA_DIR, or a bucket (see openBlobStorage). */
  storage: BlobStorage;
  uploadTempDir: string;
  logger: Logger;
  /** Files generated at once. @default defaultConcurrency(provider) */
  concurrency?: number;
  provider: ModelProvider;
  /** See JobServiceDeps.generationTimeoutMs. */
  generationTimeoutMs?: number;
  /** How often files with nothing queued to run them are queued again (RECONCILE_INTERVAL_MS). @default 60_000 */
  reconcileIntervalMs?: number;
  /** @default { hours: 0 } (jobs kept forever) */
  retention?: RetentionOptions;
  /** See JobServiceDeps.maxActiveFilesPerOwner. */
  maxActiveFilesPerKey?: number;
  /** See JobServiceDeps.webhooks. */
  webhooks?: WebhookSubscriptionConfig;
  /** See JobServiceDeps.modelRedirect. */
  modelRedirect?: ModelRedirect | undefined;
  /** See JobServiceDeps.converter. */
  converter?: ModelConverter | undefined;
  /** See JobServiceDeps.photoUrls. */
  photoUrls?: PhotoUrls | undefined;
  /** PUBLIC_URL, for webhooks' `model_url`. @default null */
  publicUrl?: string | null;
  /** How webhooks are sent; none: they are queued and recorded, not sent. */
  webhookSending?: WebhookSending;
  /** Tests: what the job service enqueues through and stores through, in front of the real ones. */
  wrapQueue?: ((queue: JobQueue) => JobQueue) | undefined;
  wrapStore?: ((store: JobStore) => JobStore) | undefined;
}

/** Embedded mode: state and events under DATA_DIR and the in-process queue, in this one process. */
export async function createEmbeddedRuntime(opts: EmbeddedRuntimeOptions): Promise<Runtime> {
  // The store recovers lost final events into the same log the service serves from.
  const events = new FsJobEvents({ root: opts.dataDir, logger: opts.logger });
  const retention = opts.retention ?? { hours: 0, sweepSeconds: 300 };
  const webhookFile = join(opts.dataDir, 'webhooks.sqlite');
  const webhookOutbox = new SqliteWebhookOutbox({ file: webhookFile });
  const feeding = { events, outbox: webhookOutbox, logger: opts.logger, publicUrl: opts.publicUrl ?? null, retentionHours: retention.hours };
  // Webhooks of the jobs the previous run changed are queued before those count as checked: a
  // final event whose feeding a crash cut off is fed now (queueing is idempotent; sending starts with the worker).
  const store = await FsJobStore.open({
    root: opts.dataDir,
    logger: opts.logger,
    events,
    recover: (opened, jobIds) => createFeeder({ ...feeding, store: opened, sender: null }).feedAll(jobIds),
  }).catch(async (error: unknown) => {
    await webhookOutbox.close();
    throw error;
  });
  // Sent from a thread of its own, so sending never takes the generation pipeline's event loop.
  const webhookSender = opts.webhookSending ? startSenderThread(webhookFile, opts.webhookSending, opts.logger) : null;
  const webhookFeeder = createFeeder({ ...feeding, store, sender: webhookSender });
  const { provider } = opts;
  // Kept in DATA_DIR; after anything but a clean stop, set right by one listing (see reconcileStorageUsage).
  const storageUsage = await FsStorageUsage.open(join(opts.dataDir, 'storage-usage.json'));
  const storage = new CountedBlobStorage(opts.storage, storageUsage);
  if (!storageUsage.trusted) await reconcileStorageUsage(storage, storageUsage, opts.logger);
  const queue = new MemoryJobQueue({ concurrency: opts.concurrency ?? defaultConcurrency(provider), logger: opts.logger });
  const cancellation = new MemoryTaskCancellation();
  const jobs = createJobService({
    store: opts.wrapStore ? opts.wrapStore(store) : store,
    queue: opts.wrapQueue ? opts.wrapQueue(queue) : queue,
    events,
    storage,
    provider,
    logger: opts.logger,
    uploadTempDir: opts.uploadTempDir,
    generationTimeoutMs: opts.generationTimeoutMs,
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
  // One process owns the queue and the store, so only a failure that escaped every other repair
  // leaves a file with nothing queued; the same pass as at start picks it up.
  const reconciler = createPeriodicPass({
    run: () => jobs.resumeUnfinished(),
    intervalMs: opts.reconcileIntervalMs ?? 60_000,
    what: 'Reconciling the queue with the job store',
    logger: opts.logger,
  });
  const retentionSweep = createRetentionSweep({ jobs, retention, logger: opts.logger });
  const lifecycle = workerLifecycle({ provider, queue, jobs, events, store, reconciler, retentionSweep, cancellation, webhookOutbox, webhookFeeder, webhookSender }, () => jobs.resumeUnfinished());
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
    async close(closing) {
      await lifecycle.close(closing);
      await storageUsage.close();
    },
  };
}

/** Embedded mode: state (and idempotency records) under DATA_DIR, blobs there or in a bucket, the in-process queue, memory rate limits, the in-memory log. */
export async function embeddedParts(opts: {
  env: Env;
  dataDir: string;
  storage: BlobStorage;
  uploadTempDir: string;
  logger: Logger;
  provider: ModelProvider;
  converter: ModelConverter;
  logBuffer: LogBuffer;
  wrapQueue?: ((queue: JobQueue) => JobQueue) | undefined;
  wrapStore?: ((store: JobStore) => JobStore) | undefined;
  /** The secret webhooks are signed with (see resolveWebhookSecret). */
  webhookSecret: string;
  /** Counts webhook attempts (see webhookAttemptRecorder). */
  recordWebhookAttempt?: WebhookSending['record'];
}): Promise<ModeParts> {
  const { env } = opts;
  const timeoutMs = generationTimeoutMs(env, opts.provider);
  const runtime = await createEmbeddedRuntime({ dataDir: opts.dataDir, storage: opts.storage, uploadTempDir: opts.uploadTempDir, logger: opts.logger, concurrency: env.WORKER_CONCURRENCY, provider: opts.provider, generationTimeoutMs: timeoutMs, photoUrls: photoUrlsOf(env, opts.provider, timeoutMs), reconcileIntervalMs: env.RECONCILE_INTERVAL_MS, retention: retentionOf(env), maxActiveFilesPerKey: env.MAX_ACTIVE_FILES_PER_KEY, webhooks: webhooksOf(env), modelRedirect: modelRedirectOf(env), converter: opts.converter, publicUrl: env.PUBLIC_URL ?? null, webhookSending: { ...webhookSendingOf(env, opts.webhookSecret), ...(opts.recordWebhookAttempt ? { record: opts.recordWebhookAttempt } : {}) }, wrapQueue: opts.wrapQueue, wrapStore: opts.wrapStore });
  const idempotency = await FsIdempotencyStore.open({ root: opts.dataDir, logger: opts.logger });
  return {
    runtime,
    rateLimiters: createMemoryRateLimiters({ perMinute: env.RATE_LIMIT_PER_MINUTE, perHour: env.RATE_LIMIT_PER_HOUR }),
    idempotency,
    queryLogs: async (query) => opts.logBuffer.query(query),
    queueStats: () => runtime.queue.counts(),
    async close(graceMs) {
      await runtime.close({ graceMs });
      await idempotency.close();
    },
  };
}
