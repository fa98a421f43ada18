import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { withRedisLock } from './redis-lock.js';

const redisUp = await requireRedis();

describe.skipIf(!redisUp)('withRedisLock', () => {
  let redis: Redis;
  const prefix = newPrefix();
  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('runs the work of one holder at a time; the others skip it (null), and the lock is free once the work settled', async () => {
    const key = `${prefix}reconcile-lock`;
    let running = 0;
    let peak = 0;
    const work = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 50));
      running -= 1;
      return 1;
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => withRedisLock(redis, key, 10_000, work)));
    expect(results.filter((r) => r === 1)).toHaveLength(1);
    expect(results.filter((r) => r === null)).toHaveLength(4);
    expect(peak).toBe(1);
    expect(await redis.exists(key)).toBe(0);
    await expect(withRedisLock(redis, key, 10_000, () => Promise.reject(new Error('pass failed')))).rejects.toThrow('pass failed');
    expect(await withRedisLock(redis, key, 10_000, work)).toBe(1); // released after a failure too
  });

  it('does not release a lock that expired and was taken by another holder meanwhile', async () => {
    const key = `${prefix}short-lock`;
    const outcome = await withRedisLock(redis, key, 50, async () => {
      await new Promise((resolve) => setTimeout(resolve, 120)); // outlives its lock
      await redis.set(key, 'another-holder', 'PX', 10_000);
      return 'done';
    });
    expect(outcome).toBe('done');
    expect(await redis.get(key)).toBe('another-holder');
  });
});
