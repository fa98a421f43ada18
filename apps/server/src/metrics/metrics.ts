import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WebhookAttemptKind } from '@image2model/core';

/** Queue depth as this process sees it; embedded mode knows only waiting and active. */
export interface QueueStats {
  waiting: number;
  active: number;
  delayed?: number;
  failed?: number;
  /** Worker processes connected to the queue (distributed mode). */
  workers?: number;
}

export interface MetricsOptions {
  /** Which kind of process this is: a label on every series. */
  role: 'embedded' | 'api' | 'worker';
  /** Read on every scrape; a failure (Redis down) leaves the gauges at their last values. */
  queueStats?: () => Promise<QueueStats>;
  /** Pending webhook deliveries of every job (the outbox's count), read on every scrape. */
  webhooksPending?: () => Promise<number>;
}

/** Every metric this service exports, in one registry per process (no global state). */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  generationDuration: Histogram<'provider' | 'outcome'>;
  providerErrors: Counter<'provider' | 'kind' | 'code'>;
  sseConnections: Gauge;
  rateLimitRejections: Counter<'window'>;
  webhookDeliveries: Counter<'outcome'>;
  webhookDuration: Histogram;
}

/** The names, for docs/metrics.md and the tests that check a scrape exposes them all. */
export const METRIC_NAMES = [
  'image2model_http_request_duration_seconds',
  'image2model_queue_jobs',
  'image2model_queue_workers',
  'image2model_file_generation_duration_seconds',
  'image2model_provider_errors_total',
  'image2model_sse_connections',
  'image2model_rate_limit_rejections_total',
  'image2model_webhook_deliveries_total',
  'image2model_webhook_delivery_duration_seconds',
  'image2model_webhook_deliveries_pending',
  'process_cpu_seconds_total',
  'nodejs_eventloop_lag_seconds',
] as const;

export function createMetrics(opts: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role: opts.role });
  collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: 'image2model_http_request_duration_seconds',
    help: 'HTTP request duration by route template and status (SSE streams: how long they stayed open)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const generationDuration = new Histogram({
    name: 'image2model_file_generation_duration_seconds',
    help: 'Generation of one file by the provider, by outcome (completed, failed, retried, interrupted)',
    labelNames: ['provider', 'outcome'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const providerErrors = new Counter({
    name: 'image2model_provider_errors_total',
    help: 'Provider failures by kind (transient: retried, permanent, internal, aborted) and error code',
    labelNames: ['provider', 'kind', 'code'] as const,
    registers: [registry],
  });
  const sseConnections = new Gauge({ name: 'image2model_sse_connections', help: 'Open event streams (REST and tRPC SSE)', registers: [registry] });
  const rateLimitRejections = new Counter({
    name: 'image2model_rate_limit_rejections_total',
    help: 'Requests answered 429, by the window they exceeded',
    labelNames: ['window'] as const,
    registers: [registry],
  });

  const webhookDeliveries = new Counter({
    name: 'image2model_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered; retry: failed, tried again later; exhausted: failed, no retry left; gone: the receiver answered 410)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const webhookDuration = new Histogram({
    name: 'image2model_webhook_delivery_duration_seconds',
    help: 'One webhook delivery attempt, from connecting to the answer (or the error)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'image2model_webhook_deliveries_pending',
    help: 'Webhook deliveries waiting for an attempt or a retry, across the deployment',
    registers: [registry],
    async collect() {
      const pending = await opts.webhooksPending?.().catch(() => null);
      if (pending !== undefined && pending !== null) this.set(pending);
    },
  });

  let stats: Promise<QueueStats | null> | null = null;
  // One read per scrape, shared by both queue gauges.
  const readStats = (): Promise<QueueStats | null> => {
    stats ??= (opts.queueStats?.() ?? Promise.resolve(null))
      .catch(() => null)
      .finally(() => setImmediate(() => (stats = null)));
    return stats;
  };
  new Gauge({
    name: 'image2model_queue_jobs',
    help: 'Files in the queue by state (waiting, active, delayed, failed)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const current = await readStats();
      if (!current) return;
      for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) {
        const value = current[state];
        if (value !== undefined) this.set({ state }, value);
      }
    },
  });
  new Gauge({
    name: 'image2model_queue_workers',
    help: 'Worker processes connected to the queue (distributed mode; 1 in embedded mode)',
    registers: [registry],
    async collect() {
      const current = await readStats();
      if (current) this.set(current.workers ?? 1);
    },
  });

  return { registry, httpDuration, generationDuration, providerErrors, sseConnections, rateLimitRejections, webhookDeliveries, webhookDuration };
}

const OUTCOME_OF: Record<WebhookAttemptKind, string> = { delivered: 'delivered', retrying: 'retry', exhausted: 'exhausted', gone: 'gone' };

/** Counts one recorded webhook attempt (the dispatcher's hook, wherever it runs). */
export function webhookAttemptRecorder(metrics: Metrics): (kind: WebhookAttemptKind, durationMs: number) => void {
  return (kind, durationMs) => {
    metrics.webhookDeliveries.inc({ outcome: OUTCOME_OF[kind] });
    metrics.webhookDuration.observe(durationMs / 1000);
  };
}
