import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, newPrefix, requireRedis } from '@image2model/testing/redis';
import type { TaskIdentity } from '../../jobs/job-queue.js';
import { RedisTaskCancellation } from './task-cancellation.redis.js';

const redisUp = await requireRedis();

describe.skipIf(!redisUp)('RedisTaskCancellation', () => {
  let redis: Redis;
  const prefix = newPrefix();
  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it("reaches a listener on another connection (another process's worker), and only within its prefix", async () => {
    const worker = new RedisTaskCancellation({ redis, prefix });
    const api = new RedisTaskCancellation({ redis, prefix });
    const otherDeployment = new RedisTaskCancellation({ redis, prefix: `${prefix}other:` });
    const heard: TaskIdentity[] = [];
    const stop = worker.listen((task) => heard.push(task));
    try {
      const task = { job_id: 'batch_20261206_120000_abcdef', file_id: 'file_002', generation: 3 };
      // The subscription is made asynchronously: announce until it is heard.
      for (let i = 0; i < 50 && heard.length === 0; i += 1) {
        await api.announce(task);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(heard[0]).toEqual(task);
      const before = heard.length;
      await otherDeployment.announce({ ...task, generation: 4 });
      await redis.publish(`${prefix}cancelled-tasks`, 'not json');
      await api.announce({ ...task, generation: 5 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(heard.slice(before).map((t) => t.generation)).toEqual([5]);
    } finally {
      stop();
      await worker.close();
      await api.close();
      await otherDeployment.close();
    }
  });
});
