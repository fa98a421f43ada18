import type { Redis } from 'ioredis';
import type { Env } from '../env.js';
import type { ProcessRole } from './redis.js';

/**
 * The process's Redis connection when REDIS_URL is set (distributed mode), else null. ioredis
 * (and everything distributed) loads only then: embedded mode starts faster.
 */
export async function connectRedisFor(env: Pick<Env, 'REDIS_URL'>, role: ProcessRole): Promise<Redis | null> {
  if (!env.REDIS_URL) return null;
  const { connectRedis } = await import('./redis.js');
  return connectRedis(env.REDIS_URL, { role });
}
