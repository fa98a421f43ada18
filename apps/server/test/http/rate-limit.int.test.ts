import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { describeRateLimitersContract } from '../../src/http/rate-limit.contract.js';
import { createMemoryRateLimiters, createRedisRateLimiters } from '../../src/http/rate-limit.js';

const redisUp = await requireRedis();

describeRateLimitersContract('memory (embedded mode)', async () => ({ create: createMemoryRateLimiters, shared: false, cleanup: async () => {} }));

describe.skipIf(!redisUp)('Redis rate limiters', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  describeRateLimitersContract('Redis (distributed mode)', async () => {
    const prefix = newPrefix();
    return {
      create: (windows) => createRedisRateLimiters({ ...windows, redis, prefix }),
      shared: true,
      cleanup: async () => {
        await deleteKeys(redis, prefix);
      },
    };
  });
});
