import { downloadPaths } from '@image2model/api';
import {
  createWebhookFeeder,
  createWebhookSigner,
  WebhookDispatcher,
  type JobEvents,
  type JobStore,
  type Logger,
  type RetrySchedule,
  type UnfedJobs,
  type WebhookAttemptKind,
  type WebhookFeeder,
  type WebhookOutbox,
  type WebhookUrlPolicy,
} from '@image2model/core';
import type { WebhookSender } from './webhook-sender.js';

/** What a process that sends webhooks (the embedded server, a worker) needs beyond the outbox. */
export interface WebhookSending {
  /** WEBHOOK_SECRET, or the generated one (see resolveWebhookSecret). */
  secret: string;
  timeoutMs: number;
  schedule: RetrySchedule;
  concurrency: number;
  /** Checked again at every attempt, as configured now (not when the job was made). */
  policy: WebhookUrlPolicy;
  /** Counts each recorded attempt (see recordWebhookAttempt). */
  record?: (kind: WebhookAttemptKind, durationMs: number) => void;
}

/**
 * A completed file's `model_url` in its webhook: PUBLIC_URL and the download path, without a
 * session_id (the receiver downloads with its key). Without PUBLIC_URL no job can have a URL; a
 * job made before it was unset gets the path alone.
 */
export function webhookModelUrl(publicUrl: string | null): (jobId: string, fileId: string) => string {
  return (jobId, fileId) => `${publicUrl ?? ''}${downloadPaths.model(jobId, fileId)}`;
}

/** The feeder every process has (any process may make a final transition: a cancel on an API process). */
export function createFeeder(parts: {
  store: JobStore;
  events: JobEvents;
  outbox: WebhookOutbox;
  logger: Logger;
  publicUrl: string | null;
  retentionHours: number;
  unfed?: UnfedJobs;
  /** This process's sender, if it sends: it looks at once; others find the delivery at their next poll. */
  sender: WebhookSender | null;
}): WebhookFeeder {
  const { sender } = parts;
  return createWebhookFeeder({
    store: parts.store,
    events: parts.events,
    outbox: parts.outbox,
    logger: parts.logger,
    modelUrl: webhookModelUrl(parts.publicUrl),
    retentionHours: parts.retentionHours,
    ...(parts.unfed ? { unfed: parts.unfed } : {}),
    ...(sender ? { onQueued: () => sender.wake() } : {}),
  });
}

/** The dispatcher of a process that sends webhooks. */
export function createDispatcher(outbox: WebhookOutbox, sending: WebhookSending, logger: Logger): WebhookDispatcher {
  const { record } = sending;
  return new WebhookDispatcher({
    outbox,
    sign: createWebhookSigner(sending.secret),
    policy: sending.policy,
    schedule: sending.schedule,
    timeoutMs: sending.timeoutMs,
    concurrency: sending.concurrency,
    ...(record ? { metrics: { attempted: ({ kind, result }) => record(kind, result.duration_ms) } } : {}),
    logger,
  });
}
