import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { LogEntry, LogQuery } from '@image2model/api';
import type { JobQueue, JobStore, ModelProvider } from '@image2model/core';
import type { Env } from './env.js';
import type { LogBuffer } from './logging/log-buffer.js';
import type { RedisLogStream } from './logging/redis-log-stream.js';
import { createEmbeddedRuntime, type Runtime } from './runtime.js';
import { generationTimeoutMs } from './providers.js';
import { createMemoryRateLimiters, createRedisRateLimiters, type RateLimiters } from './http/rate-limit.js';
import type { QueueStats } from './metrics/metrics.js';
import { verifySharedDataDir } from './distributed/shared-data-dir.js';

/** What differs between the modes; everything else is built the same way. */
export interface ModeParts {
  runtime: Runtime;
  rateLimiters: RateLimiters;
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

/** Embedded mode: files under DATA_DIR, the in-process queue, memory rate limits, the in-memory log. */
export async function embeddedParts(opts: {
  env: Env;
  dataDir: string;
  uploadTempDir: string;
  logger: Logger;
  provider: ModelProvider;
  logBuffer: LogBuffer;
  wrapQueue?: ((queue: JobQueue) => JobQueue) | undefined;
  wrapStore?: ((store: JobStore) => JobStore) | undefined;
}): Promise<ModeParts> {
  const { env } = opts;
  const runtime = await createEmbeddedRuntime({ dataDir: opts.dataDir, uploadTempDir: opts.uploadTempDir, logger: opts.logger, concurrency: env.WORKER_CONCURRENCY, provider: opts.provider, generationTimeoutMs: generationTimeoutMs(env, opts.provider), reconcileIntervalMs: env.RECONCILE_INTERVAL_MS, wrapQueue: opts.wrapQueue, wrapStore: opts.wrapStore });
  return {
    runtime,
    rateLimiters: createMemoryRateLimiters({ perMinute: env.RATE_LIMIT_PER_MINUTE, perHour: env.RATE_LIMIT_PER_HOUR }),
    queryLogs: async (query) => opts.logBuffer.query(query),
    queueStats: () => runtime.queue.counts(),
    close: (graceMs) => runtime.close({ graceMs }),
  };
}

/** Distributed mode: Redis state and events, BullMQ, Redis rate limits and logs; no worker here. */
export async function distributedParts(opts: {
  env: Env;
  redis: Redis;
  redisLogs: RedisLogStream;
  dataDir: string;
  uploadTempDir: string;
  logger: Logger;
  provider: ModelProvider;
}): Promise<ModeParts> {
  const { env, redis, redisLogs, logger } = opts;
  const { logRedisState } = await import('./distributed/redis-connection.js');
  logRedisState(redis, logger);
  await verifySharedDataDir({ dataDir: opts.dataDir, redis, prefix: env.REDIS_PREFIX, role: 'API' });
  const [{ createDistributedRuntime }, { callRedis }] = await Promise.all([import('./runtime.distributed.js'), import('@image2model/core/distributed')]);
  const runtime = await createDistributedRuntime({
    redis,
    prefix: env.REDIS_PREFIX,
    dataDir: opts.dataDir,
    uploadTempDir: opts.uploadTempDir,
    logger,
    provider: opts.provider,
    lockMs: env.WORKER_LOCK_MS,
  });
  return {
    runtime,
    rateLimiters: createRedisRateLimiters({ redis, prefix: env.REDIS_PREFIX, perMinute: env.RATE_LIMIT_PER_MINUTE, perHour: env.RATE_LIMIT_PER_HOUR }),
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
