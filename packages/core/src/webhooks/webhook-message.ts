import { createHash } from 'node:crypto';
import type { JobEvent } from '../jobs/job-events.js';
import type { FileWarning, ModelShape } from '../jobs/file-warnings.js';
import type { FileError, ViewSet } from '../jobs/job.js';
import type { JobSummary } from '../jobs/job-summary.js';

export type WebhookEventType = 'file.completed' | 'file.failed' | 'file.cancelled' | 'job.finished';

/** The job log events that become webhooks: a file's final state, and the job becoming terminal. */
export type FinalJobEvent = Extract<JobEvent, { type: 'completed' | 'failed' | 'cancelled' | 'done' }>;

const TYPE_OF_LOG_EVENT: Record<FinalJobEvent['type'], WebhookEventType> = {
  completed: 'file.completed',
  failed: 'file.failed',
  cancelled: 'file.cancelled',
  done: 'job.finished',
};

/** The data of a file event, as the receiver gets it. */
export interface WebhookFileData {
  job_id: string;
  file_id: string;
  status: 'completed' | 'failed' | 'cancelled';
  /** Where the receiver downloads the model (with its own key); null unless completed. */
  model_url: string | null;
  model_task_id: string | null;
  error: FileError | null;
}

/** A completed file's data also says how its model was made, as its status entry does. */
export interface WebhookCompletedFileData extends WebhookFileData {
  status: 'completed';
  warnings: FileWarning[];
  shape: ModelShape | null;
  /** A multiview file's views (each view's filename); absent for one photo. */
  views?: ViewSet<string>;
}

export interface WebhookBody {
  id: string;
  type: WebhookEventType;
  created_at: string;
  data: WebhookFileData | WebhookCompletedFileData | JobSummary;
}

/** One event ready to queue: its body is fixed here, so every attempt sends the same bytes. */
export interface WebhookMessage {
  id: string;
  type: WebhookEventType;
  job_id: string;
  body: string;
}

/** Whether a log event is one that becomes a webhook. */
export function isFinalJobEvent(event: JobEvent): event is FinalJobEvent {
  return event.type in TYPE_OF_LOG_EVENT;
}

/**
 * The webhook event id of a log event: `evt_` and 32 hex of sha256(`job_id:log_event_id`). Derived,
 * not random, so an event re-read from the log after a crash gets the id it had (the `webhook-id`
 * receivers deduplicate by, and the key that makes queueing it twice a no-op).
 */
export function webhookEventId(jobId: string, logEventId: string): string {
  return `evt_${createHash('sha256').update(`${jobId}:${logEventId}`).digest('hex').slice(0, 32)}`;
}

export type WebhookMessageInput =
  | {
      event: Extract<FinalJobEvent, { type: 'completed' | 'failed' | 'cancelled' }>;
      /** The provider's task id of the file's generation that ended. */
      model_task_id: string | null;
      /** The model's public URL (the API layer owns URLs); called for completed files only. */
      modelUrl: (jobId: string, fileId: string) => string;
      created_at: string;
    }
  | { event: Extract<FinalJobEvent, { type: 'done' }>; summary: JobSummary; created_at: string };

/**
 * The webhook for one final log event.
 * @example
 * const message = buildWebhookMessage({ event, model_task_id: file.model_task_id, modelUrl, created_at: new Date().toISOString() });
 */
export function buildWebhookMessage(input: WebhookMessageInput): WebhookMessage {
  const { event } = input;
  const id = webhookEventId(event.job_id, event.id);
  const type = TYPE_OF_LOG_EVENT[event.type];
  const data: WebhookBody['data'] =
    'summary' in input
      ? input.summary
      : fileData(input);
  const body: WebhookBody = { id, type, created_at: input.created_at, data };
  return { id, type, job_id: event.job_id, body: JSON.stringify(body) };
}

function fileData(input: Extract<WebhookMessageInput, { model_task_id: string | null }>): WebhookFileData | WebhookCompletedFileData {
  const { event, model_task_id } = input;
  const { job_id, file_id } = event;
  if (event.type !== 'completed') return { job_id, file_id, status: event.type, model_url: null, model_task_id, error: event.type === 'failed' ? event.error : null };
  return {
    job_id,
    file_id,
    status: 'completed',
    model_url: input.modelUrl(job_id, file_id),
    model_task_id,
    error: null,
    // Events logged before warnings and shape were recorded lack them: sent as the status shows them ([] and null).
    warnings: event.warnings ?? [],
    shape: event.shape ?? null,
    ...(event.views ? { views: event.views } : {}),
  };
}
