import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { describeWebhookOutboxContract, makeDelivery } from '../../webhooks/webhook-outbox.contract.js';
import { RedisWebhookOutbox } from './webhook-outbox.redis.js';

const redisUp = await requireRedis();

describe.skipIf(!redisUp)('RedisWebhookOutbox', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    await redis.quit();
  });

  describeWebhookOutboxContract('RedisWebhookOutbox', async () => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    // Each outbox on its own connection, as two processes would be.
    const clients: Redis[] = [];
    const open = async () => {
      const client = await connectRedis();
      clients.push(client);
      return new RedisWebhookOutbox({ redis: client, prefix });
    };
    return {
      outbox: await open(),
      reopen: open,
      another: open,
      async cleanup() {
        await Promise.all(clients.map((client) => client.quit()));
      },
    };
  });

  it("keeps every key under the prefix, and a job's delete leaves none of its keys behind", async () => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    const outbox = new RedisWebhookOutbox({ redis, prefix });
    const delivery = makeDelivery();
    await outbox.enqueue(delivery);
    await outbox.markGone(delivery.job_id, 'https://gone.example.com/');
    expect((await redis.keys(`${prefix}*`)).sort()).toEqual(
      [`${prefix}webhook:${delivery.id}`, `${prefix}webhooks:due`, `${prefix}webhooks:job:${delivery.job_id}`, `${prefix}webhooks:job:${delivery.job_id}:gone`].sort(),
    );
    expect(await outbox.deleteForJob(delivery.job_id)).toBe(1);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
  });
});
