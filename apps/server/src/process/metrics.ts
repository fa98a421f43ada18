import type { ModelProvider } from '@image2model/core';
import type { Env } from '../env.js';
import { createProvider } from '../providers.js';
import { instrumentProvider } from '../metrics/instrument-provider.js';
import type { Metrics } from '../metrics/metrics.js';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-http.js';

/** The configured provider (or a test's or bench's), counted in the process's metrics. */
export async function createInstrumentedProvider(env: Env, metrics: Metrics, override?: ModelProvider): Promise<ModelProvider> {
  return instrumentProvider(override ?? (await createProvider(env)), metrics);
}

/** The process's own metrics port (METRICS_PORT), when one is configured. */
export async function startMetricsEndpoint(env: Pick<Env, 'METRICS_PORT' | 'HOST'>, metrics: Metrics): Promise<MetricsServer | null> {
  return env.METRICS_PORT !== undefined ? startMetricsServer({ registry: metrics.registry, port: env.METRICS_PORT, host: env.HOST }) : null;
}
