import type { Logger } from 'pino';
import { createApiKeyAuth } from '@image2model/api';
import { createIdempotency } from '@image2model/core';
import { MAX_IMAGE_PIXELS } from '@image2model/core/limits';
import type { AppDeps } from '../app.js';
import type { Env } from '../env.js';
import type { ApiKeys } from './api-keys.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ModeParts } from './runtime.js';
import type { StorageBackend } from './blob-storage.js';
import { readSystemInfo } from '../services/system-info.js';
import { createReadinessCheck } from '../services/readiness.js';
import { SERVER_VERSION } from '../version.js';

/** What the Express app is built from: configuration, the mode's parts, keys, logger and metrics. */
export function appDepsFrom(opts: {
  env: Env;
  parts: ModeParts;
  keys: ApiKeys;
  dataDir: string;
  storageBackend: StorageBackend;
  uploadTempDir: string;
  logger: Logger;
  metrics: Metrics;
  heartbeatMs: number;
}): AppDeps {
  const { env, parts, dataDir } = opts;
  const { runtime } = parts;
  return {
    config: {
      publicUrl: env.PUBLIC_URL,
      maxFiles: env.MAX_FILES,
      maxFileSizeMb: env.MAX_FILE_SIZE_MB,
      maxImagePixels: MAX_IMAGE_PIXELS,
      uploadTempDir: opts.uploadTempDir,
      corsOrigins: env.CORS_ORIGINS,
      heartbeatMs: opts.heartbeatMs,
      maxStreamsPerKey: env.MAX_STREAMS_PER_KEY,
      slowReaderTimeoutMs: env.SLOW_READER_TIMEOUT_MS,
      version: SERVER_VERSION,
      maxBatchSize: env.MAX_BATCH_SIZE,
      trustProxy: env.TRUST_PROXY,
    },
    services: {
      jobs: runtime.jobs,
      events: runtime.events,
      idempotency: createIdempotency({ store: parts.idempotency, logger: opts.logger }),
      readiness: createReadinessCheck({ storage: runtime.storage, storageBackend: opts.storageBackend, provider: runtime.provider, ...(parts.pingRedis ? { pingRedis: parts.pingRedis } : {}) }),
      systemInfo: () => readSystemInfo(dataDir, runtime.jobs, { backend: opts.storageBackend, usage: runtime.storageUsage }),
      queryLogs: (query) => parts.queryLogs(query),
    },
    auth: createApiKeyAuth(opts.keys),
    rateLimiters: parts.rateLimiters,
    logger: opts.logger,
    metrics: opts.metrics,
  };
}
