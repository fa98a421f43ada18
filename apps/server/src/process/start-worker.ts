import type { Logger } from 'pino';
import type { ModelProvider } from '@image2model/core';
import { retentionOf, webhookSendingOf, type Env } from '../env.js';
import { createMetrics, webhookAttemptRecorder } from '../metrics/metrics.js';
import { resolveWebhookSecret } from './webhook-secret.js';
import { createInstrumentedProvider, defaultConcurrency, generationTimeoutMs } from './provider.js';
import { createDistributedRuntime, type DistributedRuntime } from './runtime-distributed.js';
import { connectRedis, describeRedisUrl, logRedisState } from './redis.js';
import { verifySharedStorage } from './shared-storage.js';
import { openBlobStorage, photoUrlsOf } from './blob-storage.js';
import { logSweptFiles, prepareDataDir } from './data-dir.js';
import { createProcessLogging } from './logging.js';
import { startMetricsEndpoint } from './metrics.js';

export interface StartWorkerOptions {
  /** Workers serve distributed mode only: the caller says so when REDIS_URL is missing. */
  env: Env & { REDIS_URL: string };
  /** Bench swaps the provider; production uses the configured one. */
  provider?: ModelProvider;
}

export interface RunningWorker {
  runtime: DistributedRuntime;
  logger: Logger;
  /** The METRICS_PORT server's port, when one is configured. */
  metricsPort: number | null;
  /** Finishes running files within `graceMs` (or hands them back), then closes Redis, last. */
  close(opts: { graceMs: number }): Promise<void>;
}

/**
 * A distributed-mode worker: takes files from the BullMQ queue and generates them, writing state
 * and events to Redis and models to the shared DATA_DIR or the bucket.
 */
export async function startWorker({ env, provider: override }: StartWorkerOptions): Promise<RunningWorker> {
  const redisUrl = env.REDIS_URL;
  const files = await prepareDataDir(env.DATA_DIR, 'worker');
  const { dataDir } = files;
  const redis = await connectRedis(redisUrl, { role: 'worker' });
  const logging = await createProcessLogging({ env, role: 'worker', redis });
  const { logger } = logging;
  logRedisState(redis, logger);
  const opened = await openBlobStorage(env, dataDir);
  await verifySharedStorage({ opened, redis, prefix: env.REDIS_PREFIX, role: 'worker' });
  logSweptFiles(logger, files.swept);

  const webhookSecret = await resolveWebhookSecret({
    configured: env.WEBHOOK_SECRET,
    dataDir,
    logger,
    print: (text) => process.stdout.write(`${text}\n`),
    terminal: process.stdout.isTTY === true,
    shared: { redis, key: `${env.REDIS_PREFIX}webhook-secret` },
  });

  let runtime: DistributedRuntime | null = null;
  const metrics = createMetrics({
    role: 'worker',
    queueStats: () => (runtime ? runtime.queueStats() : Promise.resolve({ waiting: 0, active: 0 })),
    webhooksPending: () => (runtime ? runtime.webhookOutbox.pendingTotal() : Promise.resolve(0)),
  });
  const provider = await createInstrumentedProvider(env, metrics, override);
  const concurrency = env.WORKER_CONCURRENCY ?? defaultConcurrency(provider);
  const timeoutMs = generationTimeoutMs(env, provider);
  const running = await createDistributedRuntime({
    redis,
    prefix: env.REDIS_PREFIX,
    storage: opened.storage,
    uploadTempDir: files.uploadTempDir,
    logger,
    provider,
    concurrency,
    lockMs: env.WORKER_LOCK_MS,
    reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
    retention: retentionOf(env),
    generationTimeoutMs: timeoutMs,
    photoUrls: photoUrlsOf(env, provider, timeoutMs),
    publicUrl: env.PUBLIC_URL ?? null,
    webhookSending: { ...webhookSendingOf(env, webhookSecret), record: webhookAttemptRecorder(metrics) },
  });
  runtime = running;
  const metricsServer = await startMetricsEndpoint(env, metrics);
  const metricsPort = metricsServer?.port ?? null;
  const resumed = await running.startWorker();
  logger.info(
    { concurrency, provider: provider.name, redis: describeRedisUrl(redisUrl), data_dir: dataDir, storage: opened.location, metrics_port: metricsPort, resumed },
    `Image2Model worker ready (${provider.name} generator, data in ${opened.location}${metricsServer ? `, metrics on port ${metricsServer.port}` : ''})`,
  );
  return {
    runtime: running,
    logger,
    metricsPort,
    async close({ graceMs }) {
      await running.close({ graceMs }); // finishes or hands back the running files
      await metricsServer?.close();
      await logging.close();
      await redis.quit().catch(() => redis.disconnect()); // Redis last
    },
  };
}
