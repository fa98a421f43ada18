import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { describeIdempotencyStoreContract } from '../../idempotency/idempotency-store.contract.js';
import { RedisIdempotencyStore } from './idempotency-store.redis.js';

const redisUp = await requireRedis();

describe.skipIf(!redisUp)('RedisIdempotencyStore', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    await redis.quit();
  });

  describeIdempotencyStoreContract('RedisIdempotencyStore', async ({ ttlMs }) => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    // Each instance on its own connection, as two API processes would be.
    const clients: Redis[] = [];
    const open = async () => {
      const client = await connectRedis();
      clients.push(client);
      return new RedisIdempotencyStore({ redis: client, prefix, ...(ttlMs ? { ttlMs } : {}) });
    };
    return {
      store: await open(),
      reopen: open,
      sharesClaimsAcrossInstances: true,
      async cleanup() {
        await Promise.all(clients.map((client) => client.quit()));
      },
    };
  });

  it('stores each key under the prefix by its hash, and frees a claim whose process died once its lease ends', async () => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    const store = new RedisIdempotencyStore({ redis, prefix, leaseMs: 100 });
    const scope = { owner: 'o'.repeat(64), key: 'my key with spaces' };
    expect((await store.claim(scope, 'fp')).kind).toBe('claimed');
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toEqual([expect.stringMatching(new RegExp(`^${prefix}idem:[0-9a-f]{64}$`))]);
    expect((await store.claim(scope, 'fp')).kind).toBe('in_use');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the holder never answered
    expect((await store.claim(scope, 'fp')).kind).toBe('claimed');
  });

  it('keeps an answer for the TTL', async () => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    const store = new RedisIdempotencyStore({ redis, prefix });
    const scope = { owner: 'o'.repeat(64), key: 'k' };
    const outcome = await store.claim(scope, 'fp');
    if (outcome.kind !== 'claimed') throw new Error(outcome.kind);
    await store.complete(outcome.claim, 'fp', { status: 200, body: {} });
    const [key] = await redis.keys(`${prefix}*`);
    const ttl = await redis.pttl(key as string);
    expect(ttl).toBeGreaterThan(24 * 60 * 60 * 1000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(24 * 60 * 60 * 1000);
  });
});
