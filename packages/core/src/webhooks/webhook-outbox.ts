import type { WebhookEventType } from './webhook-message.js';

export type WebhookDeliveryState = 'pending' | 'delivered' | 'exhausted';

/** One event for one URL, with what its attempts gave: what the user inspects. */
export interface WebhookDelivery {
  /** The event id (`evt_…`), sent as `webhook-id`: the same on every attempt. */
  id: string;
  job_id: string;
  type: WebhookEventType;
  url: string;
  /** The exact bytes every attempt sends. */
  body: string;
  attempts: number;
  /** The receiver's status code at the last attempt; null when it gave none (or none was made). */
  last_status: number | null;
  /** Why the last attempt failed without a status, or why the delivery stopped; null otherwise. */
  last_error: string | null;
  last_duration_ms: number | null;
  /** When the next attempt is due; null unless pending. */
  next_attempt_at: string | null;
  state: WebhookDeliveryState;
  created_at: string;
  updated_at: string;
}

/** What queueing an event needs; the first attempt is due at once. */
export type NewWebhookDelivery = Pick<WebhookDelivery, 'id' | 'job_id' | 'type' | 'url' | 'body'>;

/** A delivery handed to one dispatcher for one attempt; `token` proves the hold when recording. */
export interface WebhookClaim {
  delivery: WebhookDelivery;
  token: string;
}

/** One attempt's result and what follows it. */
export interface WebhookAttemptOutcome {
  status: number | null;
  error: string | null;
  duration_ms: number;
  next: { state: 'pending'; at: Date } | { state: 'delivered' } | { state: 'exhausted' };
}

/** What the last error says of deliveries stopped by a 410 from their receiver. */
export const GONE_REASON = 'the receiver answered 410 Gone: no more deliveries of this job to this URL';

/**
 * Port: the persisted queue of webhook deliveries and their records. Every adapter keeps pending
 * deliveries across restarts and kill -9, and hands each due delivery to one dispatcher at a time,
 * across processes too (a claim holds it for a lease; a holder that dies gives it back when the
 * lease ends, so its attempt is made again by another: at least once, never lost).
 */
export interface WebhookOutbox {
  /**
   * Queues a delivery, due now. Idempotent by id: a second enqueue of a known id changes nothing
   * and answers false. A delivery to a URL that answered 410 for this job is stored exhausted.
   */
  enqueue(delivery: NewWebhookDelivery): Promise<boolean>;
  /** A job's deliveries, in the order they were queued. */
  listForJob(jobId: string): Promise<WebhookDelivery[]>;
  /** A job's pending deliveries (retention keeps the job while there are any). */
  pendingCount(jobId: string): Promise<number>;
  /** Pending deliveries of every job (a metrics gauge). */
  pendingTotal(): Promise<number>;
  /**
   * Makes a job's exhausted deliveries pending again, due now, with the whole retry schedule
   * ahead (attempts restart at 0; the last status and error stay until the next attempt), and
   * forgets the job's 410s: the user asked for these deliveries. Answers how many.
   */
  redeliver(jobId: string): Promise<number>;
  /** Deletes a job's deliveries (its cleanup); answers how many there were. */
  deleteForJob(jobId: string): Promise<number>;
  /**
   * A receiver answered 410 Gone: the job's pending deliveries to `url` become exhausted (held ones
   * too: their holder's record is then refused), and later ones to it are stored exhausted.
   * Answers how many pending ones it stopped.
   */
  markGone(jobId: string, url: string): Promise<number>;
  /** Up to `limit` due deliveries, each held for `leaseMs` by this caller alone. */
  claimDue(opts: { limit: number; leaseMs: number }): Promise<WebhookClaim[]>;
  /** Records an attempt made under `claim` (attempts + 1) and its next state; false when the claim was lost meanwhile. */
  complete(claim: WebhookClaim, outcome: WebhookAttemptOutcome): Promise<boolean>;
  /** Gives a claimed delivery back without an attempt (a dispatcher closing), due when it was. */
  release(claim: WebhookClaim): Promise<void>;
  close(): Promise<void>;
}
