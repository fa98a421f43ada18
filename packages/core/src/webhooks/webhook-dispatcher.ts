import { silentLogger, type Logger } from '../logger.js';
import type { RetrySchedule } from './retry-schedule.js';
import { DEFAULT_WEBHOOK_TIMEOUT_MS, sendWebhook, type WebhookAttemptResult } from './send-webhook.js';
import type { WebhookAttemptOutcome, WebhookClaim, WebhookDelivery, WebhookOutbox } from './webhook-outbox.js';
import type { WebhookSignatureHeaders } from './webhook-signing.js';
import type { WebhookUrlPolicy } from './webhook-url-policy.js';

/** How an attempt ended, for metrics: delivered, to be retried, given up, or stopped by a 410. */
export type WebhookAttemptKind = 'delivered' | 'retrying' | 'exhausted' | 'gone';

/** Hooks for metrics (phase 2 wires Prometheus): called once per recorded attempt. */
export interface WebhookDispatchMetrics {
  attempted(attempt: { kind: WebhookAttemptKind; delivery: WebhookDelivery; result: WebhookAttemptResult }): void;
}

export interface WebhookDispatcherOptions {
  outbox: WebhookOutbox;
  /** Signs one attempt (see createWebhookSigner). */
  sign: (input: { id: string; body: string }) => WebhookSignatureHeaders;
  policy: WebhookUrlPolicy;
  schedule: RetrySchedule;
  /** Per attempt (`WEBHOOK_TIMEOUT_MS`). @default 10_000 */
  timeoutMs?: number;
  /** Attempts in flight at once, in this process. @default 8 */
  concurrency?: number;
  /** How often due deliveries are looked for (enqueues in this process also wake it). @default 500 */
  pollMs?: number;
  /** How long a close waits for attempts in flight before aborting them and giving them back. @default 2_000 */
  closeGraceMs?: number;
  metrics?: WebhookDispatchMetrics;
  logger?: Logger;
}

/** A claim outlives its attempt by this much, so a slow event loop never lets a live attempt's claim lapse. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Sends due webhook deliveries in a bounded pool of its own (generation never waits on it, and a
 * receiver that hangs holds one slot for one timeout). It claims deliveries from the outbox as
 * slots free up, so with several processes on one outbox each attempt is made by one of them.
 * After each attempt it records the outcome: 2xx delivered; 410 exhausted, and the job's other
 * deliveries to that URL stopped; anything else retried after the schedule's next delay, or
 * exhausted after the last.
 * @example
 * const dispatcher = new WebhookDispatcher({ outbox, sign: createWebhookSigner(secret), policy, schedule: parseRetrySchedule() });
 * dispatcher.start();
 * await outbox.enqueue(delivery); dispatcher.wake();
 */
export class WebhookDispatcher {
  private readonly opts: Required<Omit<WebhookDispatcherOptions, 'metrics' | 'logger'>>;
  private readonly metrics: WebhookDispatchMetrics | undefined;
  private readonly logger: Logger;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private filling: Promise<void> | null = null;
  private fillAgain = false;
  private started = false;
  private closing = false;

  constructor(opts: WebhookDispatcherOptions) {
    this.opts = {
      timeoutMs: DEFAULT_WEBHOOK_TIMEOUT_MS,
      concurrency: 8,
      pollMs: 500,
      closeGraceMs: 2_000,
      ...opts,
    };
    this.metrics = opts.metrics;
    this.logger = opts.logger ?? silentLogger;
  }

  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    this.wake();
  }

  /** Looks for due deliveries now (after an enqueue in this process), rather than at the next poll. */
  wake(): void {
    if (!this.started || this.closing) return;
    if (this.filling) {
      this.fillAgain = true;
      return;
    }
    this.filling = this.fill().finally(() => {
      this.filling = null;
      if (this.fillAgain) {
        this.fillAgain = false;
        this.wake();
      } else this.schedulePoll();
    });
  }

  /** Deliveries being attempted right now, in this process. */
  get busy(): number {
    return this.inFlight.size;
  }

  /**
   * Stops claiming; attempts in flight get `closeGraceMs` to finish, then are aborted and given
   * back to the outbox (due as they were), so another process or the next start makes them.
   */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    await this.filling;
    if (this.inFlight.size > 0) {
      const grace = new Promise<void>((resolve) => setTimeout(resolve, this.opts.closeGraceMs).unref());
      await Promise.race([Promise.all(this.inFlight), grace]);
      this.abort.abort();
      await Promise.all(this.inFlight);
    }
  }

  private schedulePoll(): void {
    if (this.closing) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), this.opts.pollMs);
  }

  /** Claims as many due deliveries as there are free slots, and starts their attempts. */
  private async fill(): Promise<void> {
    const free = this.opts.concurrency - this.inFlight.size;
    if (free <= 0) return;
    let claims: WebhookClaim[];
    try {
      claims = await this.opts.outbox.claimDue({ limit: free, leaseMs: this.opts.timeoutMs + LEASE_MARGIN_MS });
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not claim due webhook deliveries; trying again at the next poll');
      return;
    }
    for (const claim of claims) {
      const attempt = this.attempt(claim).finally(() => {
        this.inFlight.delete(attempt);
        this.wake();
      });
      this.inFlight.add(attempt);
    }
    // A full batch suggests more are due: look again as soon as this one is under way.
    if (claims.length === free) this.fillAgain = true;
  }

  private async attempt(claim: WebhookClaim): Promise<void> {
    const { delivery } = claim;
    try {
      const result = await sendWebhook({
        url: delivery.url,
        body: delivery.body,
        headers: this.opts.sign({ id: delivery.id, body: delivery.body }),
        policy: this.opts.policy,
        timeoutMs: this.opts.timeoutMs,
        signal: this.abort.signal,
      });
      if (result.aborted) {
        await this.opts.outbox.release(claim);
        return;
      }
      const { kind, next } = this.decide(delivery, result);
      const outcome: WebhookAttemptOutcome = { status: result.status ?? null, error: result.error ?? null, duration_ms: result.duration_ms, next };
      if (!(await this.opts.outbox.complete(claim, outcome))) {
        this.logger.warn({ delivery_id: delivery.id, job_id: delivery.job_id }, 'A webhook attempt was made after its claim lapsed; its outcome is not recorded');
        return;
      }
      if (kind === 'gone') await this.opts.outbox.markGone(delivery.job_id, delivery.url);
      if (kind === 'exhausted' || kind === 'gone') {
        this.logger.warn({ delivery_id: delivery.id, job_id: delivery.job_id, status: result.status, error: result.error }, 'Webhook delivery given up');
      }
      this.metrics?.attempted({ kind, delivery, result });
    } catch (error) {
      // The outbox failed (Redis down, disk full): the claim's lease ends and the attempt is made again.
      this.logger.error({ err: error, delivery_id: delivery.id, job_id: delivery.job_id }, 'Could not record a webhook attempt');
    }
  }

  private decide(delivery: WebhookDelivery, result: WebhookAttemptResult): { kind: WebhookAttemptKind; next: WebhookAttemptOutcome['next'] } {
    if (result.ok) return { kind: 'delivered', next: { state: 'delivered' } };
    if (result.status === 410) return { kind: 'gone', next: { state: 'exhausted' } };
    const delay = this.opts.schedule.nextDelayMs(delivery.attempts + 1);
    if (delay === 'exhausted') return { kind: 'exhausted', next: { state: 'exhausted' } };
    return { kind: 'retrying', next: { state: 'pending', at: new Date(Date.now() + delay) } };
  }
}
