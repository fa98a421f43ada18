import type { ReadinessReport } from '@image2model/api';
import type { BlobStorage, ModelProvider, ProviderHealth } from '@image2model/core';

export interface ReadinessDeps {
  storage: BlobStorage;
  /** Where blobs live: `fs` (DATA_DIR) or `s3` (a bucket). */
  storageBackend: 'fs' | 's3';
  provider: ModelProvider;
  /** Distributed mode: pings Redis. Absent in embedded mode. */
  pingRedis?: () => Promise<boolean>;
}

/** A health check that never answers counts as unreachable (the provider bounds its own probe; this is the backstop). */
const PROVIDER_HEALTH_LIMIT_MS = 10_000;

function providerHealth(provider: ModelProvider): Promise<ProviderHealth> {
  if (provider.name !== 'fal') return Promise.resolve('not_configured');
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<ProviderHealth>((resolve) => {
    timer = setTimeout(() => resolve('unreachable'), PROVIDER_HEALTH_LIMIT_MS);
  });
  return Promise.race([provider.health().catch(() => 'unreachable' as const), limit]).finally(() => clearTimeout(timer));
}

/**
 * Ready when everything this process needs to serve requests works (storage, Redis when
 * configured). FAL is reported, but its outage does not take the instance out of service.
 */
async function checkReadiness(deps: ReadinessDeps): Promise<ReadinessReport> {
  const [storageOk, redisOk, fal] = await Promise.all([
    deps.storage.checkWritable().catch(() => false),
    deps.pingRedis ? deps.pingRedis().catch(() => false) : Promise.resolve(null),
    providerHealth(deps.provider),
  ]);
  const checks = {
    storage: storageOk ? 'writable' : 'unwritable',
    storage_backend: deps.storageBackend,
    redis: redisOk === null ? 'not_configured' : redisOk ? 'connected' : 'disconnected',
    fal_api: fal,
  };
  return { status: storageOk && redisOk !== false ? 'ready' : 'not_ready', checks };
}

/** How long one readiness answer is reused: probes may come often, each look writes a file. */
export const READINESS_CACHE_MS = 1000;

/**
 * `checkReadiness` shared by every caller: one check in flight at a time, and its answer reused
 * for READINESS_CACHE_MS after it settles, so a flood of ready calls (a batch of them, or many
 * load balancers) costs one probe file a second, while the endpoint itself stays unlimited.
 */
export function createReadinessCheck(deps: ReadinessDeps, cacheMs = READINESS_CACHE_MS): () => Promise<ReadinessReport> {
  let current: Promise<ReadinessReport> | null = null;
  let settledAt = 0;
  return function readiness() {
    if (current && (settledAt === 0 || Date.now() - settledAt < cacheMs)) return current;
    settledAt = 0;
    const check = checkReadiness(deps).finally(() => {
      if (current === check) settledAt = Date.now();
    });
    current = check;
    return check;
  };
}
