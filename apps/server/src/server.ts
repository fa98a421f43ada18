import { createServer, type Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { createApiKeyAuth } from '@image2model/api';
import { sweepLeftovers, type JobQueue, type JobStore, type ModelProvider } from '@image2model/core';
import { MAX_IMAGE_PIXELS } from '@image2model/core/limits';
import type { Env } from './env.js';
import { LogBuffer, type LogSink } from './logging/log-buffer.js';
import { createLogger } from './logging/logger.js';
import { resolveApiKeys, type ApiKeys } from './api-keys.js';
import type { Runtime } from './runtime.js';
import { createProvider } from './providers.js';
import { createApp } from './app.js';
import { removeOwnUploadTemps, sweepUploadTemps, uploadTempDirOf } from './http/upload-temp-files.js';
import { readSystemInfo } from './services/system-info.js';
import { createReadinessCheck } from './services/readiness.js';
import { SERVER_VERSION } from './version.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { instrumentProvider } from './metrics/instrument-provider.js';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-http.js';
import type { RedisLogStream } from './logging/redis-log-stream.js';
import { distributedParts, embeddedParts, type ModeParts } from './server-modes.js';

/** The longest a request (an upload on a slow line) may take, so also the oldest a live temp file can be. */
const UPLOAD_TEMP_MAX_AGE_MS = 10 * 60_000;

export interface StartServerOptions {
  env: Env;
  /** Tests swap the provider (e.g. to hold generation back); production uses the configured one. */
  provider?: ModelProvider;
  /** Embedded mode: tests put a failing queue or store in front of the real one (the service sees it). */
  wrapQueue?: (queue: JobQueue) => JobQueue;
  wrapStore?: (store: JobStore) => JobStore;
  logDestination?: NodeJS.WritableStream;
  print?: (text: string) => void;
  /** Whether `print` reaches a terminal (a generated key is printed in full only then); default: stdout is a TTY. */
  printsToTerminal?: boolean;
  heartbeatMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  runtime: Runtime;
  keys: ApiKeys;
  logger: Logger;
  logBuffer: LogBuffer;
  dataDir: string;
  metrics: Metrics;
  /** The METRICS_PORT server's port, when one is configured. */
  metricsPort: number | null;
  mode: 'embedded' | 'distributed';
  close(opts?: { graceMs?: number }): Promise<void>;
}

/**
 * Builds every part from configuration and listens. Embedded mode (no REDIS_URL) also runs the
 * worker in this process; distributed mode keeps state in Redis and leaves generation to worker
 * processes (`npm run start:worker`).
 */
export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const { env } = opts;
  const dataDir = resolve(env.DATA_DIR);
  const uploadTempDir = uploadTempDirOf(dataDir);
  await mkdir(uploadTempDir, { recursive: true });
  // What a killed process left mid-upload. Embedded mode owns DATA_DIR alone, so everything goes;
  // API processes sharing one only remove files older than any upload may take (requestTimeout).
  const sweptTemps = await sweepUploadTemps(uploadTempDir, env.REDIS_URL ? UPLOAD_TEMP_MAX_AGE_MS : 0);
  // Likewise the temp files of interrupted writes and readiness probes, in every data folder.
  const leftovers = await sweepLeftovers(dataDir, env.REDIS_URL ? Date.now() - UPLOAD_TEMP_MAX_AGE_MS : Number.POSITIVE_INFINITY);

  // ioredis (and everything distributed) loads only when REDIS_URL asks for it: embedded mode starts faster.
  const redisModule = env.REDIS_URL ? await import('./distributed/redis-connection.js') : null;
  const redis = redisModule && env.REDIS_URL ? await redisModule.connectRedis(env.REDIS_URL, { role: 'api' }) : null;
  const logBuffer = new LogBuffer();
  let redisLogs: RedisLogStream | null = null;
  if (redis) {
    const { RedisLogStream } = await import('./logging/redis-log-stream.js');
    redisLogs = new RedisLogStream({ redis, prefix: env.REDIS_PREFIX });
  }
  const sinks: LogSink[] = redisLogs ? [logBuffer, redisLogs] : [logBuffer];
  const logger = createLogger({
    level: env.LOG_LEVEL,
    buffer: { write: (line) => sinks.forEach((sink) => sink.write(line)) },
    destination: opts.logDestination,
    // Several processes write one log: say which one wrote each line.
    ...(redis ? { base: { role: 'api', pid: process.pid } } : {}),
  });
  if (sweptTemps > 0) logger.info({ files: sweptTemps }, `Removed ${sweptTemps} upload temp file(s) left by a stopped process`);
  if (leftovers.files > 0) logger.info({ files: leftovers.files }, `Removed ${leftovers.files} temp or probe file(s) left in the data directory by a stopped process`);

  try {
    const keys = await resolveApiKeys({
      apiKeys: env.API_KEYS,
      adminKeys: env.ADMIN_API_KEYS,
      dataDir,
      logger,
      print: opts.print ?? ((text) => process.stdout.write(`${text}\n`)),
      terminal: opts.printsToTerminal ?? process.stdout.isTTY === true,
    });
    let mode: ModeParts | null = null;
    const metrics = createMetrics({ role: redis ? 'api' : 'embedded', queueStats: () => (mode ? mode.queueStats() : Promise.resolve({ waiting: 0, active: 0 })) });
    const provider = instrumentProvider(opts.provider ?? (await createProvider(env)), metrics);
    mode = redis && redisLogs ? await distributedParts({ env, redis, redisLogs, dataDir, uploadTempDir, logger, provider }) : await embeddedParts({ env, dataDir, uploadTempDir, logger, provider, logBuffer, wrapQueue: opts.wrapQueue, wrapStore: opts.wrapStore });
    const parts = mode;
    const { runtime } = parts;

    const app = createApp({
      config: {
        publicUrl: env.PUBLIC_URL,
        maxFiles: env.MAX_FILES,
        maxFileSizeMb: env.MAX_FILE_SIZE_MB,
        maxImagePixels: MAX_IMAGE_PIXELS,
        uploadTempDir,
        corsOrigins: env.CORS_ORIGINS,
        heartbeatMs: opts.heartbeatMs ?? 15_000,
        maxStreamsPerKey: env.MAX_STREAMS_PER_KEY,
        slowReaderTimeoutMs: env.SLOW_READER_TIMEOUT_MS,
        version: SERVER_VERSION,
        maxBatchSize: env.MAX_BATCH_SIZE,
        trustProxy: env.TRUST_PROXY,
      },
      services: {
        jobs: runtime.jobs,
        events: runtime.events,
        readiness: createReadinessCheck({ storage: runtime.storage, provider: runtime.provider, ...(parts.pingRedis ? { pingRedis: parts.pingRedis } : {}) }),
        systemInfo: () => readSystemInfo(dataDir, runtime.jobs),
        queryLogs: (query) => parts.queryLogs(query),
      },
      auth: createApiKeyAuth(keys),
      rateLimiters: parts.rateLimiters,
      logger,
      metrics,
    });

    // Node checks the header and request deadlines below every connectionsCheckingInterval (30 s by
    // default), so a slow client could outlive its deadline by that much.
    const server = createServer({ connectionsCheckingInterval: 5_000 }, app).listen(env.PORT, env.HOST);
    await new Promise<void>((resolveListen, reject) => {
      server.once('listening', resolveListen);
      server.once('error', reject);
    });
    // Slow clients (slowloris) must not hold sockets for ever; uploads get a generous window.
    server.headersTimeout = 30_000;
    server.requestTimeout = UPLOAD_TEMP_MAX_AGE_MS;
    server.keepAliveTimeout = 5_000;
    const metricsServer: MetricsServer | null =
      env.METRICS_PORT !== undefined ? await startMetricsServer({ registry: metrics.registry, port: env.METRICS_PORT, host: env.HOST }) : null;

    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : env.PORT;
    const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
    const metricsPort = metricsServer?.port ?? null;
    if (parts.connectedWorkers && env.REDIS_URL) {
      const workers = await parts.connectedWorkers().catch(() => 0);
      logger.info(
        { port, data_dir: dataDir, provider: runtime.provider.name, mode: 'distributed', redis: redisModule?.describeRedisUrl(env.REDIS_URL), workers, metrics_port: metricsPort },
        `Image2Model listening on http://${host}:${port} (distributed mode, ${runtime.provider.name} generator, ${workers} worker process(es) connected, data in ${dataDir})`,
      );
      if (workers === 0) logger.warn({}, 'No worker process is connected yet: files wait in the queue until one runs (npm run start:worker)');
    } else {
      const resumed = await runtime.startWorker();
      logger.info(
        { port, data_dir: dataDir, provider: runtime.provider.name, mode: 'embedded', resumed, metrics_port: metricsPort },
        `Image2Model listening on http://${host}:${port} (embedded mode, ${runtime.provider.name} generator, data in ${dataDir})`,
      );
    }

    // The one human-readable line among the JSON logs: where to go next.
    (opts.print ?? ((text) => process.stdout.write(`${text}\n`)))(`\n  Image2Model is ready: open http://${host}:${port}/ (API docs at http://${host}:${port}/api/v1/docs)\n`);

    return {
      url: `http://${host}:${port}`,
      port,
      server,
      runtime,
      keys,
      logger,
      logBuffer,
      dataDir,
      metrics,
      metricsPort,
      mode: redis ? 'distributed' : 'embedded',
      async close({ graceMs = env.SHUTDOWN_GRACE_MS } = {}) {
        const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
        server.closeIdleConnections();
        if (parts.endStreams) {
          // Stop accepting, end event streams (clients resume elsewhere from Last-Event-ID), and give
          // in-flight requests the grace period before cutting what is left.
          await parts.endStreams();
          await Promise.race([closed, new Promise((r) => setTimeout(r, graceMs).unref())]);
          server.closeAllConnections();
          await parts.close(graceMs);
        } else {
          await parts.close(graceMs);
          server.closeAllConnections();
        }
        await closed;
        // Uploads cut by the shutdown never reach their own cleanup.
        await removeOwnUploadTemps(uploadTempDir);
        await metricsServer?.close();
      },
    };
  } catch (error) {
    await redisLogs?.close().catch(() => undefined);
    redis?.disconnect();
    throw error;
  }
}
