import type { Env } from '../env.js';
import type { Metrics } from '../metrics/metrics.js';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-http.js';

/** The process's own metrics port (METRICS_PORT), when one is configured. */
export async function startMetricsEndpoint(env: Pick<Env, 'METRICS_PORT' | 'HOST'>, metrics: Metrics): Promise<MetricsServer | null> {
  return env.METRICS_PORT !== undefined ? startMetricsServer({ registry: metrics.registry, port: env.METRICS_PORT, host: env.HOST }) : null;
}
