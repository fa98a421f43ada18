import type { WebhookEventType } from './webhook-message.js';
import type { WebhookDelivery, WebhookDeliveryState, WebhookOutbox } from './webhook-outbox.js';

/** One delivery as its job's owner inspects it: the outbox's record without the body. */
export interface WebhookDeliveryView {
  /** The event id (`evt_…`), sent as `webhook-id`. */
  id: string;
  type: WebhookEventType;
  /** The file a `file.*` event is about; null for `job.finished`. */
  file_id: string | null;
  url: string;
  state: WebhookDeliveryState;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface JobWebhookDeliveries {
  job_id: string;
  /** In the order they were queued. */
  deliveries: WebhookDeliveryView[];
}

export interface RedeliverWebhooksResult {
  job_id: string;
  /** How many exhausted deliveries were made pending again (0 when none were exhausted). */
  redelivered: number;
}

/** The file id the body's data names (file events only): the record keeps the body, not the id. */
function fileIdOf(delivery: WebhookDelivery): string | null {
  if (delivery.type === 'job.finished') return null;
  const { data } = JSON.parse(delivery.body) as { data?: { file_id?: unknown } };
  return typeof data?.file_id === 'string' ? data.file_id : null;
}

function viewOf(delivery: WebhookDelivery): WebhookDeliveryView {
  return {
    id: delivery.id,
    type: delivery.type,
    file_id: fileIdOf(delivery),
    url: delivery.url,
    state: delivery.state,
    attempts: delivery.attempts,
    last_status: delivery.last_status,
    last_error: delivery.last_error,
    last_duration_ms: delivery.last_duration_ms,
    next_attempt_at: delivery.next_attempt_at,
    created_at: delivery.created_at,
    updated_at: delivery.updated_at,
  };
}

/**
 * A job's deliveries, for a caller the job service has already found to be its owner. A service
 * built without an outbox (unit tests of other concerns) has sent nothing: an empty list.
 */
export async function listWebhookDeliveries(outbox: WebhookOutbox | undefined, jobId: string): Promise<JobWebhookDeliveries> {
  const deliveries = outbox ? await outbox.listForJob(jobId) : [];
  return { job_id: jobId, deliveries: deliveries.map(viewOf) };
}

/** Makes the job's exhausted deliveries pending again (the owner asked for them); answers how many. */
export async function redeliverWebhooks(outbox: WebhookOutbox | undefined, jobId: string): Promise<RedeliverWebhooksResult> {
  return { job_id: jobId, redelivered: outbox ? await outbox.redeliver(jobId) : 0 };
}
