import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { callRedis } from './redis-errors.js';

/** Deletes the lock only while it still holds this owner's token (not one taken after it expired). */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Runs `work` only if this process takes the lock `key` (SET NX with a `ttlMs` expiry, so a
 * holder that dies frees it); resolves null without running it when another holder has it.
 * The lock is released when `work` settles.
 */
export async function withRedisLock<T>(redis: Redis, key: string, ttlMs: number, work: () => Promise<T>): Promise<T | null> {
  const token = randomBytes(12).toString('hex');
  const taken = await callRedis(() => redis.set(key, token, 'PX', ttlMs, 'NX'));
  if (taken !== 'OK') return null;
  try {
    return await work();
  } finally {
    await callRedis(() => redis.eval(RELEASE, 1, key, token)).catch(() => undefined); // expires anyway
  }
}
