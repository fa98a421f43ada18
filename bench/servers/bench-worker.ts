/**
 * A distributed-mode worker process composed as `apps/server/src/worker.ts` composes it (Redis,
 * Redis logs, the shared-DATA_DIR check, metrics, the BullMQ runtime), with the bench-only
 * provider instead of the configured one. Forked by the pipeline case; answers its commands.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { connectRedis } from '@image2model/server/dist/distributed/redis-connection.js';
import { verifySharedDataDir } from '@image2model/server/dist/distributed/shared-data-dir.js';
import { parseEnv } from '@image2model/server/dist/env.js';
import { uploadTempDirOf } from '@image2model/server/dist/http/upload-temp-files.js';
import { createLogger } from '@image2model/server/dist/logging/logger.js';
import { RedisLogStream } from '@image2model/server/dist/logging/redis-log-stream.js';
import { instrumentProvider } from '@image2model/server/dist/metrics/instrument-provider.js';
import { createMetrics } from '@image2model/server/dist/metrics/metrics.js';
import { createDistributedRuntime } from '@image2model/server/dist/runtime.distributed.js';
import { serveCommands } from '../lib/ipc.js';
import { BenchProvider } from './bench-provider.js';

const env = parseEnv(process.env);
if (!env.REDIS_URL) throw new Error('REDIS_URL is required');
const dataDir = resolve(env.DATA_DIR);
const redis = await connectRedis(env.REDIS_URL, { role: 'worker' });
const logs = new RedisLogStream({ redis, prefix: env.REDIS_PREFIX });
const logger = createLogger({ level: env.LOG_LEVEL, buffer: logs, base: { role: 'worker', pid: process.pid } });
await mkdir(dataDir, { recursive: true });
await verifySharedDataDir({ dataDir, redis, prefix: env.REDIS_PREFIX, role: 'worker' });

const bench = new BenchProvider({ modelBytes: Number(process.env.BENCH_MODEL_BYTES ?? 2048) });
const runtime = await createDistributedRuntime({
  redis,
  prefix: env.REDIS_PREFIX,
  dataDir,
  uploadTempDir: uploadTempDirOf(dataDir),
  logger,
  provider: instrumentProvider(bench, createMetrics({ role: 'worker', queueStats: () => runtime.queueStats() })),
  concurrency: env.WORKER_CONCURRENCY ?? 2,
  lockMs: env.WORKER_LOCK_MS,
});
await runtime.startWorker();

async function stop(): Promise<void> {
  await runtime.close({ graceMs: 1000 });
  await logs.close();
  await redis.quit().catch(() => redis.disconnect());
}

serveCommands(
  {
    hold: () => bench.hold(),
    held: () => bench.held,
    open: () => bench.open(null),
    close: stop,
  },
  { pid: process.pid },
);

process.on('SIGTERM', () => {
  void stop().finally(() => process.exit(0));
});
