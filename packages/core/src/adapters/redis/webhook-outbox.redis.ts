import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { WebhookEventType } from '../../webhooks/webhook-message.js';
import {
  GONE_REASON,
  type NewWebhookDelivery,
  type WebhookAttemptOutcome,
  type WebhookClaim,
  type WebhookDelivery,
  type WebhookDeliveryState,
  type WebhookOutbox,
} from '../../webhooks/webhook-outbox.js';
import { callRedis } from './redis-errors.js';
import { CLAIM, COMPLETE, DELETE_FOR_JOB, ENQUEUE, MARK_GONE, PENDING_COUNT, REDELIVER, RELEASE } from './webhook-outbox.scripts.js';

export interface RedisWebhookOutboxOptions {
  /** A connected client; shared, not closed here. */
  redis: Redis;
  /** REDIS_PREFIX. @default 'i2m:' */
  prefix?: string;
}

interface Scripts {
  i2mHookEnqueue(...args: [string, string, string, string, ...(string | number)[]]): Promise<number>;
  i2mHookClaim(due: string, now: number, limit: number, leaseEnd: number, token: string, recordPrefix: string): Promise<string[]>;
  i2mHookComplete(...args: [string, string, ...(string | number)[]]): Promise<number>;
  i2mHookRelease(record: string, due: string, token: string, id: string, dueMs: number): Promise<number>;
  i2mHookMarkGone(jobIds: string, due: string, gone: string, url: string, reason: string, at: string, recordPrefix: string): Promise<number>;
  i2mHookRedeliver(jobIds: string, due: string, gone: string, at: string, now: number, recordPrefix: string): Promise<number>;
  i2mHookDeleteForJob(jobIds: string, due: string, gone: string, recordPrefix: string): Promise<number>;
  i2mHookPendingCount(jobIds: string, recordPrefix: string): Promise<number>;
}

const orNull = (value: string | undefined) => (value === undefined ? null : value);
const numberOrNull = (value: string | undefined) => (value === undefined ? null : Number(value));

function decode(fields: Record<string, string>): WebhookDelivery | null {
  if (fields.id === undefined) return null; // deleted meanwhile
  return {
    id: fields.id,
    job_id: fields.job_id ?? '',
    type: fields.type as WebhookEventType,
    url: fields.url ?? '',
    body: fields.body ?? '',
    attempts: Number(fields.attempts ?? 0),
    last_status: numberOrNull(fields.last_status),
    last_error: orNull(fields.last_error),
    last_duration_ms: numberOrNull(fields.last_duration_ms),
    next_attempt_at: orNull(fields.next_attempt_at),
    state: fields.state as WebhookDeliveryState,
    created_at: fields.created_at ?? '',
    updated_at: fields.updated_at ?? '',
  };
}

/**
 * WebhookOutbox for distributed mode, on Redis: every API process and worker shares it, and a
 * claim (one Lua script) hands each due delivery to one dispatcher. Pending deliveries are a sorted
 * set scored by due time, the way BullMQ keeps its delayed jobs, rather than BullMQ jobs: the
 * records users inspect, the 410 rule, redelivery and idempotent enqueue need our own per-delivery
 * record anyway, and BullMQ's own dedupe by job id ends when a finished job is removed. Durable as
 * Redis is (AOF, like the job store and the queue).
 * Keys: `<prefix>webhook:<id>` (a delivery), `<prefix>webhooks:job:<job_id>` (a job's, in order),
 * `<prefix>webhooks:job:<job_id>:gone` (its URLs that answered 410), `<prefix>webhooks:due`.
 * @example
 * const outbox = new RedisWebhookOutbox({ redis, prefix: 'i2m:' });
 */
export class RedisWebhookOutbox implements WebhookOutbox {
  private readonly redis: Redis;
  private readonly scripts: Scripts;
  private readonly recordPrefix: string;
  private readonly due: string;
  private readonly jobPrefix: string;

  constructor(opts: RedisWebhookOutboxOptions) {
    const prefix = opts.prefix ?? 'i2m:';
    this.redis = opts.redis;
    this.recordPrefix = `${prefix}webhook:`;
    this.jobPrefix = `${prefix}webhooks:job:`;
    this.due = `${prefix}webhooks:due`;
    const define = (name: keyof Scripts, numberOfKeys: number, lua: string) => opts.redis.defineCommand(name, { numberOfKeys, lua });
    define('i2mHookEnqueue', 4, ENQUEUE);
    define('i2mHookClaim', 1, CLAIM);
    define('i2mHookComplete', 2, COMPLETE);
    define('i2mHookRelease', 2, RELEASE);
    define('i2mHookMarkGone', 3, MARK_GONE);
    define('i2mHookRedeliver', 3, REDELIVER);
    define('i2mHookDeleteForJob', 3, DELETE_FOR_JOB);
    define('i2mHookPendingCount', 1, PENDING_COUNT);
    this.scripts = opts.redis as unknown as Scripts;
  }

  private jobKeys(jobId: string) {
    const ids = `${this.jobPrefix}${jobId}`;
    return { ids, gone: `${ids}:gone` };
  }

  async enqueue(delivery: NewWebhookDelivery): Promise<boolean> {
    const { ids, gone } = this.jobKeys(delivery.job_id);
    const now = new Date();
    const queued = await callRedis(() =>
      this.scripts.i2mHookEnqueue(
        this.recordPrefix + delivery.id,
        ids,
        this.due,
        gone,
        delivery.id,
        delivery.job_id,
        delivery.type,
        delivery.url,
        delivery.body,
        now.toISOString(),
        now.getTime(),
        GONE_REASON,
      ),
    );
    return queued === 1;
  }

  private async read(ids: string[]): Promise<WebhookDelivery[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.recordPrefix + id);
    const replies = (await callRedis(() => pipeline.exec())) ?? [];
    return replies.flatMap(([error, fields]) => {
      if (error) throw error;
      const delivery = decode(fields as Record<string, string>);
      return delivery ? [delivery] : [];
    });
  }

  async listForJob(jobId: string): Promise<WebhookDelivery[]> {
    return this.read(await callRedis(() => this.redis.zrange(this.jobKeys(jobId).ids, '0', '-1')));
  }

  pendingCount(jobId: string): Promise<number> {
    return callRedis(() => this.scripts.i2mHookPendingCount(this.jobKeys(jobId).ids, this.recordPrefix));
  }

  pendingTotal(): Promise<number> {
    return callRedis(() => this.redis.zcard(this.due));
  }

  redeliver(jobId: string): Promise<number> {
    const { ids, gone } = this.jobKeys(jobId);
    const now = new Date();
    return callRedis(() => this.scripts.i2mHookRedeliver(ids, this.due, gone, now.toISOString(), now.getTime(), this.recordPrefix));
  }

  deleteForJob(jobId: string): Promise<number> {
    const { ids, gone } = this.jobKeys(jobId);
    return callRedis(() => this.scripts.i2mHookDeleteForJob(ids, this.due, gone, this.recordPrefix));
  }

  markGone(jobId: string, url: string): Promise<number> {
    const { ids, gone } = this.jobKeys(jobId);
    return callRedis(() => this.scripts.i2mHookMarkGone(ids, this.due, gone, url, GONE_REASON, new Date().toISOString(), this.recordPrefix));
  }

  async claimDue({ limit, leaseMs }: { limit: number; leaseMs: number }): Promise<WebhookClaim[]> {
    const now = Date.now();
    const token = randomUUID();
    const ids = await callRedis(() => this.scripts.i2mHookClaim(this.due, now, limit, now + leaseMs, token, this.recordPrefix));
    return (await this.read(ids)).map((delivery) => ({ delivery, token }));
  }

  async complete(claim: WebhookClaim, outcome: WebhookAttemptOutcome): Promise<boolean> {
    const pending = outcome.next.state === 'pending' ? outcome.next.at : null;
    const recorded = await callRedis(() =>
      this.scripts.i2mHookComplete(
        this.recordPrefix + claim.delivery.id,
        this.due,
        claim.token,
        claim.delivery.id,
        outcome.next.state,
        outcome.status === null ? '' : outcome.status,
        outcome.error ?? '',
        outcome.duration_ms,
        pending?.toISOString() ?? '',
        pending?.getTime() ?? '',
        new Date().toISOString(),
      ),
    );
    return recorded === 1;
  }

  async release(claim: WebhookClaim): Promise<void> {
    const dueMs = Date.parse(claim.delivery.next_attempt_at ?? '') || Date.now();
    await callRedis(() => this.scripts.i2mHookRelease(this.recordPrefix + claim.delivery.id, this.due, claim.token, claim.delivery.id, dueMs));
  }

  async close(): Promise<void> {
    // The client is the caller's.
  }
}
