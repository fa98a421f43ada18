import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  IDEMPOTENCY_LEASE_MS,
  IDEMPOTENCY_TTL_MS,
  idempotencyRecordId,
  type ClaimOutcome,
  type IdempotencyClaim,
  type IdempotencyScope,
  type IdempotencyStore,
  type IdempotentAnswer,
} from '../../idempotency/idempotency-store.js';
import { callRedis } from './redis-errors.js';

export interface RedisIdempotencyStoreOptions {
  redis: Redis;
  /** REDIS_PREFIX; records are `<prefix>idem:<sha256>`. */
  prefix: string;
  /** @default IDEMPOTENCY_TTL_MS (24 h) */
  ttlMs?: number;
  /** How long a claim holds the key if its process dies before answering. @default IDEMPOTENCY_LEASE_MS */
  leaseMs?: number;
}

/** The key's value while a request holds it; the answer replaces it. */
interface Pending {
  pending: string;
}
interface Done extends IdempotentAnswer {
  fingerprint: string;
}

/** KEYS[1] the record; ARGV[1] this claim's pending value, ARGV[2] the lease (ms). The stored value, or nil once claimed. */
const CLAIM = `
local stored = redis.call('GET', KEYS[1])
if stored then return stored end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

/** KEYS[1] the record; ARGV[1] the claim's pending value, ARGV[2] the answer, ARGV[3] the TTL (ms). Stores only while the claim still holds. */
const COMPLETE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

/** KEYS[1] the record; ARGV[1] the claim's pending value. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface Scripts {
  i2mIdemClaim(key: string, pending: string, leaseMs: number): Promise<string | null>;
  i2mIdemComplete(key: string, pending: string, answer: string, ttlMs: number): Promise<number>;
  i2mIdemRelease(key: string, pending: string): Promise<number>;
}

/**
 * Distributed mode's keys: one Redis string per key, claimed with a script that sets it only when
 * it is absent (a lease, so a dead process frees it), so two API processes given the same key at
 * once cannot both run the request; the answer replaces the claim with the 24 h expiry.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly scripts: Scripts;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly leaseMs: number;

  constructor(opts: RedisIdempotencyStoreOptions) {
    this.prefix = opts.prefix;
    this.ttlMs = opts.ttlMs ?? IDEMPOTENCY_TTL_MS;
    this.leaseMs = opts.leaseMs ?? IDEMPOTENCY_LEASE_MS;
    opts.redis.defineCommand('i2mIdemClaim', { numberOfKeys: 1, lua: CLAIM });
    opts.redis.defineCommand('i2mIdemComplete', { numberOfKeys: 1, lua: COMPLETE });
    opts.redis.defineCommand('i2mIdemRelease', { numberOfKeys: 1, lua: RELEASE });
    this.scripts = opts.redis as unknown as Scripts;
  }

  async claim(scope: IdempotencyScope, fingerprint: string): Promise<ClaimOutcome> {
    const id = idempotencyRecordId(scope);
    const token = randomBytes(12).toString('hex');
    const stored = await callRedis(() => this.scripts.i2mIdemClaim(this.keyOf(id), pendingValue(token), this.leaseMs));
    if (stored === null) return { kind: 'claimed', claim: { id, token } };
    const value = JSON.parse(stored) as Pending | Done;
    if ('pending' in value) return { kind: 'in_use' };
    return value.fingerprint === fingerprint ? { kind: 'replay', answer: { status: value.status, body: value.body } } : { kind: 'mismatch' };
  }

  async complete(claim: IdempotencyClaim, fingerprint: string, answer: IdempotentAnswer): Promise<void> {
    const done: Done = { fingerprint, status: answer.status, body: answer.body };
    await callRedis(() => this.scripts.i2mIdemComplete(this.keyOf(claim.id), pendingValue(claim.token), JSON.stringify(done), this.ttlMs));
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    await callRedis(() => this.scripts.i2mIdemRelease(this.keyOf(claim.id), pendingValue(claim.token)));
  }

  /** The Redis client belongs to the process. */
  async close(): Promise<void> {}

  private keyOf(id: string): string {
    return `${this.prefix}idem:${id}`;
  }
}

function pendingValue(token: string): string {
  return JSON.stringify({ pending: token } satisfies Pending);
}
