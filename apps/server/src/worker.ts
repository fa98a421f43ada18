import { mkdir } from 'node:fs/promises';
import { sweepLeftovers } from '@image2model/core';
import { resolve } from 'node:path';
import { parseEnv, type Env } from './env.js';
import { createLogger } from './logging/logger.js';
import { RedisLogStream } from './logging/redis-log-stream.js';
import { createProvider, defaultConcurrency, generationTimeoutMs } from './providers.js';
import { createDistributedRuntime } from './runtime.distributed.js';
import { uploadTempDirOf } from './http/upload-temp-files.js';
import { createMetrics } from './metrics/metrics.js';
import { instrumentProvider } from './metrics/instrument-provider.js';
import { startMetricsServer } from './metrics/metrics-http.js';
import { connectRedis, describeRedisUrl, logRedisState } from './distributed/redis-connection.js';
import { verifySharedDataDir } from './distributed/shared-data-dir.js';
import { onShutdownSignal } from './shutdown.js';

/** Temp files younger than this may belong to a write another process is making (they last seconds). */
const LEFTOVER_MIN_AGE_MS = 10 * 60_000;

function fail(message: string): never {
  process.stderr.write(`Image2Model worker failed to start: ${message}\n`);
  process.exit(1);
}

function readEnv(): Env & { REDIS_URL: string } {
  let env: Env;
  try {
    env = parseEnv();
  } catch (error) {
    return fail((error as Error).message);
  }
  if (!env.REDIS_URL) {
    return fail('REDIS_URL is not set. Worker processes serve distributed mode; without REDIS_URL, `npm start` runs everything in one process.');
  }
  return { ...env, REDIS_URL: env.REDIS_URL };
}

/**
 * The worker process (`npm run start:worker`): takes files from the BullMQ queue and generates
 * them, writing state and events to Redis and models to the shared DATA_DIR. Run as many as the
 * machines allow; each exposes its own metrics on METRICS_PORT. SIGTERM finishes running files
 * within SHUTDOWN_GRACE_MS, hands the rest back to the queue, and closes Redis last.
 */
async function main(): Promise<void> {
  const env = readEnv();
  const dataDir = resolve(env.DATA_DIR);
  const redis = await connectRedis(env.REDIS_URL, { role: 'worker' });
  const logs = new RedisLogStream({ redis, prefix: env.REDIS_PREFIX });
  const logger = createLogger({ level: env.LOG_LEVEL, buffer: logs, base: { role: 'worker', pid: process.pid } });
  logRedisState(redis, logger);
  await mkdir(dataDir, { recursive: true });
  await verifySharedDataDir({ dataDir, redis, prefix: env.REDIS_PREFIX, role: 'worker' });
  // What a killed worker left mid-write (model and preview temp files); younger ones may be another process's.
  const leftovers = await sweepLeftovers(dataDir, Date.now() - LEFTOVER_MIN_AGE_MS);
  if (leftovers.files > 0) logger.info({ files: leftovers.files }, `Removed ${leftovers.files} temp or probe file(s) left in the data directory by a stopped process`);

  let runtime: Awaited<ReturnType<typeof createDistributedRuntime>> | null = null;
  const metrics = createMetrics({ role: 'worker', queueStats: () => (runtime ? runtime.queueStats() : Promise.resolve({ waiting: 0, active: 0 })) });
  const provider = instrumentProvider(await createProvider(env), metrics);
  const concurrency = env.WORKER_CONCURRENCY ?? defaultConcurrency(provider);
  runtime = await createDistributedRuntime({
    redis,
    prefix: env.REDIS_PREFIX,
    dataDir,
    uploadTempDir: uploadTempDirOf(dataDir),
    logger,
    provider,
    concurrency,
    lockMs: env.WORKER_LOCK_MS,
    reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
    generationTimeoutMs: generationTimeoutMs(env, provider),
  });
  const metricsServer = env.METRICS_PORT !== undefined ? await startMetricsServer({ registry: metrics.registry, port: env.METRICS_PORT, host: env.HOST }) : null;
  const resumed = await runtime.startWorker();
  const running = runtime;
  logger.info(
    {
      concurrency,
      provider: provider.name,
      redis: describeRedisUrl(env.REDIS_URL),
      data_dir: dataDir,
      metrics_port: metricsServer?.port ?? null,
      resumed,
    },
    `Image2Model worker ready (${provider.name} generator, data in ${dataDir}${metricsServer ? `, metrics on port ${metricsServer.port}` : ''})`,
  );

  onShutdownSignal({
    logger,
    graceMs: env.SHUTDOWN_GRACE_MS,
    async stop(graceMs) {
      await running.close({ graceMs }); // finishes or hands back the running files
      await metricsServer?.close();
      await logs.close();
      await redis.quit().catch(() => redis.disconnect()); // Redis last
    },
  });
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
