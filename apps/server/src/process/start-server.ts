import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { JobQueue, JobStore, ModelProvider } from '@image2model/core';
import type { Env } from '../env.js';
import type { LogBuffer } from '../logging/log-buffer.js';
import { resolveApiKeys, type ApiKeys } from './api-keys.js';
import type { ModeParts, Runtime } from './runtime.js';
import { embeddedParts } from './runtime-embedded.js';
import { createApp } from '../app.js';
import { createMetrics, webhookAttemptRecorder, type Metrics } from '../metrics/metrics.js';
import { resolveWebhookSecret } from './webhook-secret.js';
import { logSweptFiles, prepareDataDir, removeOwnUploadTemps } from './data-dir.js';
import { connectRedisFor } from './connect-redis-for.js';
import { createProcessLogging } from './logging.js';
import { startMetricsEndpoint } from './metrics.js';
import { createInstrumentedProvider } from './provider.js';
import { createProcessConverter } from './converter.js';
import { appDepsFrom } from './app-deps.js';
import { listen } from './listen.js';
import { announceServer } from './announce.js';
import { openBlobStorage } from './blob-storage.js';

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
  const print = opts.print ?? ((text: string) => process.stdout.write(`${text}\n`));
  const files = await prepareDataDir(env.DATA_DIR, env.REDIS_URL ? 'api' : 'embedded');
  const { dataDir, uploadTempDir } = files;
  const redis = await connectRedisFor(env, 'api');
  const { logger, logBuffer, redisLogs, close: closeLogging } = await createProcessLogging({ env, role: 'api', redis, destination: opts.logDestination });
  logSweptFiles(logger, files.swept);
  try {
    const terminal = opts.printsToTerminal ?? process.stdout.isTTY === true;
    const keys = await resolveApiKeys({ apiKeys: env.API_KEYS, adminKeys: env.ADMIN_API_KEYS, dataDir, logger, print, terminal, shared: redis ? { redis, key: `${env.REDIS_PREFIX}api-key` } : undefined });
    const opened = await openBlobStorage(env, dataDir);
    let mode: ModeParts | null = null;
    const metrics = createMetrics({
      role: redis ? 'api' : 'embedded',
      queueStats: () => (mode ? mode.queueStats() : Promise.resolve({ waiting: 0, active: 0 })),
      webhooksPending: () => (mode ? mode.runtime.webhookOutbox.pendingTotal() : Promise.resolve(0)),
    });
    const provider = await createInstrumentedProvider(env, metrics, opts.provider);
    const converter = createProcessConverter();
    // BullMQ and the Redis adapters load only in distributed mode (cold start).
    const parts =
      redis && redisLogs
        ? await (await import('./runtime-distributed.js')).distributedParts({ env, redis, redisLogs, opened, uploadTempDir, logger, provider, converter })
        : await embeddedParts({
            env,
            dataDir,
            storage: opened.storage,
            uploadTempDir,
            logger,
            provider,
            converter,
            logBuffer,
            wrapQueue: opts.wrapQueue,
            wrapStore: opts.wrapStore,
            // Distributed API processes only queue webhooks: the workers sign and send them.
            webhookSecret: await resolveWebhookSecret({ configured: env.WEBHOOK_SECRET, dataDir, logger, print, terminal }),
            recordWebhookAttempt: webhookAttemptRecorder(metrics),
          });
    mode = parts;
    const app = createApp(appDepsFrom({ env, parts, keys, dataDir, storageBackend: opened.backend, uploadTempDir, logger, metrics, heartbeatMs: opts.heartbeatMs ?? 15_000 }));
    const listening = await listen(app, env);
    const metricsServer = await startMetricsEndpoint(env, metrics);
    const metricsPort = metricsServer?.port ?? null;
    await announceServer({ env, parts, listening, dataDir, metricsPort, logger, print });
    const { server } = listening;
    return {
      url: listening.url,
      port: listening.port,
      server,
      runtime: parts.runtime,
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
          await parts.close(graceMs); // Redis last
        } else {
          await parts.close(graceMs);
          server.closeAllConnections();
        }
        await closed;
        await converter.close();
        // Uploads cut by the shutdown never reach their own cleanup.
        await removeOwnUploadTemps(uploadTempDir);
        await metricsServer?.close();
      },
    };
  } catch (error) {
    await closeLogging().catch(() => undefined);
    redis?.disconnect();
    throw error;
  }
}
