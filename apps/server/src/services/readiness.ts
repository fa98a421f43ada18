import type { ReadinessReport } from '@image2model/api';
import type { BlobStorage, ModelProvider } from '@image2model/core';

export interface ReadinessDeps {
  storage: BlobStorage;
  provider: ModelProvider;
  /** Distributed mode: pings Redis. Absent in embedded mode. */
  pingRedis?: () => Promise<boolean>;
}

/**
 * Ready when everything this process needs to serve requests works (storage, Redis when
 * configured). FAL is reported, but its outage does not take the instance out of service.
 */
export async function checkReadiness(deps: ReadinessDeps): Promise<ReadinessReport> {
  const [storageOk, redisOk, fal] = await Promise.all([
    deps.storage.checkWritable().catch(() => false),
    deps.pingRedis ? deps.pingRedis().catch(() => false) : Promise.resolve(null),
    deps.provider.name === 'fal' ? deps.provider.health().catch(() => 'unreachable' as const) : Promise.resolve('not_configured' as const),
  ]);
  const checks = {
    storage: storageOk ? 'writable' : 'unwritable',
    redis: redisOk === null ? 'not_configured' : redisOk ? 'connected' : 'disconnected',
    fal_api: fal,
  };
  return { status: storageOk && redisOk !== false ? 'ready' : 'not_ready', checks };
}
