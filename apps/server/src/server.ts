import type { Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { createApiKeyAuth, MAX_IMAGE_PIXELS } from '@image2model/api';
import type { ModelProvider } from '@image2model/core';
import type { Env } from './env.js';
import { LogBuffer } from './logging/log-buffer.js';
import { createLogger } from './logging/logger.js';
import { resolveApiKeys, type ApiKeys } from './api-keys.js';
import { createEmbeddedRuntime, type Runtime } from './runtime.js';
import { createProvider } from './providers.js';
import { createApp } from './app.js';
import { createMemoryRateLimiters } from './http/rate-limit.js';
import { uploadTempDir } from './http/uploads.js';
import { readSystemInfo } from './services/system-info.js';
import { checkReadiness } from './services/readiness.js';
import { SERVER_VERSION } from './version.js';

export interface StartServerOptions {
  env: Env;
  /** Tests swap the provider (e.g. to hold generation back); production uses the configured one. */
  provider?: ModelProvider;
  logDestination?: NodeJS.WritableStream;
  print?: (text: string) => void;
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
  close(opts?: { graceMs?: number }): Promise<void>;
}

/** Builds every part from configuration, listens, starts the in-process worker. */
export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const { env } = opts;
  const logBuffer = new LogBuffer();
  const logger = createLogger({ level: env.LOG_LEVEL, buffer: logBuffer, destination: opts.logDestination });
  const dataDir = resolve(env.DATA_DIR);
  const tempDir = uploadTempDir(dataDir);
  await mkdir(tempDir, { recursive: true });

  const keys = await resolveApiKeys({
    apiKeys: env.API_KEYS,
    adminKeys: env.ADMIN_API_KEYS,
    dataDir,
    logger,
    print: opts.print ?? ((text) => process.stdout.write(`${text}\n`)),
  });
  const provider = opts.provider ?? (await createProvider(env));
  const runtime = await createEmbeddedRuntime({ dataDir, tempDir, logger, concurrency: env.WORKER_CONCURRENCY, provider });

  const app = createApp({
    config: {
      publicUrl: env.PUBLIC_URL,
      maxFiles: env.MAX_FILES,
      maxFileSizeMb: env.MAX_FILE_SIZE_MB,
      maxImagePixels: MAX_IMAGE_PIXELS,
      uploadTempDir: tempDir,
      corsOrigins: env.CORS_ORIGINS,
      heartbeatMs: opts.heartbeatMs ?? 15_000,
      version: SERVER_VERSION,
    },
    services: {
      jobs: runtime.jobs,
      events: runtime.events,
      readiness: () => checkReadiness({ storage: runtime.storage, provider: runtime.provider }),
      systemInfo: () => readSystemInfo(dataDir, runtime.jobs),
      queryLogs: async (query) => logBuffer.query(query),
    },
    auth: createApiKeyAuth(keys),
    rateLimiters: createMemoryRateLimiters({ perMinute: env.RATE_LIMIT_PER_MINUTE, perHour: env.RATE_LIMIT_PER_HOUR }),
    logger,
  });

  const server = app.listen(env.PORT, env.HOST);
  await new Promise<void>((resolveListen, reject) => {
    server.once('listening', resolveListen);
    server.once('error', reject);
  });
  // Slow clients (slowloris) must not hold sockets for ever; uploads get a generous window.
  server.headersTimeout = 30_000;
  server.requestTimeout = 10 * 60_000;
  server.keepAliveTimeout = 5_000;

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
  const resumed = await runtime.startWorker();
  logger.info(
    { port, data_dir: dataDir, provider: runtime.provider.name, mode: 'embedded', resumed },
    `Image2Model listening on http://${host}:${port} (embedded mode, ${runtime.provider.name} generator, data in ${dataDir})`,
  );

  return {
    url: `http://${host}:${port}`,
    port,
    server,
    runtime,
    keys,
    logger,
    logBuffer,
    dataDir,
    async close({ graceMs = 10_000 } = {}) {
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      server.closeIdleConnections();
      await runtime.close({ graceMs });
      server.closeAllConnections();
      await closed;
    },
  };
}
