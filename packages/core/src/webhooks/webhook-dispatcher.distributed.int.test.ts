import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@image2model/testing/http';
import { startHttpServer } from '@image2model/testing/net';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { RedisWebhookOutbox } from '../adapters/redis/webhook-outbox.redis.js';
import { parseRetrySchedule } from './retry-schedule.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { makeDelivery } from './webhook-outbox.contract.js';
import { createWebhookSigner, generateWebhookSecret } from './webhook-signing.js';

const redisUp = await requireRedis();

describe.skipIf(!redisUp)('WebhookDispatcher on a shared Redis outbox', () => {
  let admin: Redis;
  const prefix = newPrefix();
  beforeAll(async () => {
    admin = await connectRedis();
  });
  afterAll(async () => {
    await deleteKeys(admin, prefix);
    await admin.quit();
  });

  it('makes each attempt once across two dispatchers (one per process), retries included', async () => {
    // Every event fails its first attempt and succeeds at its second, so retries are shared out too.
    const attemptsById = new Map<string, number>();
    const receiver = await startHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        const seen = (attemptsById.get(id) ?? 0) + 1;
        attemptsById.set(id, seen);
        res.writeHead(seen === 1 ? 500 : 200).end();
      });
    });
    const clients = await Promise.all([connectRedis(), connectRedis(), connectRedis()]);
    const [producer, ...dispatcherClients] = clients;
    const outbox = new RedisWebhookOutbox({ redis: producer!, prefix });
    const sign = createWebhookSigner(generateWebhookSecret());
    const served = new Map<number, number>();
    const dispatchers = dispatcherClients.map(
      (redis, index) =>
        new WebhookDispatcher({
          outbox: new RedisWebhookOutbox({ redis, prefix }),
          sign,
          policy: { allowHttp: true, allowPrivate: true },
          schedule: parseRetrySchedule('0.1'),
          concurrency: 4,
          pollMs: 10,
          metrics: { attempted: () => served.set(index, (served.get(index) ?? 0) + 1) },
        }),
    );
    try {
      for (const dispatcher of dispatchers) dispatcher.start();
      const deliveries = Array.from({ length: 60 }, (_, i) => makeDelivery({ url: `${receiver.url}/hook`, job_id: `batch_20240315_123456_dist${String(i % 3).padStart(2, '0')}` }));
      for (const delivery of deliveries) await outbox.enqueue(delivery);
      await waitFor(async () => (await outbox.pendingTotal()) === 0 || undefined, { timeoutMs: 20_000, what: 'every delivery to be delivered' });
      await Promise.all(dispatchers.map((dispatcher) => dispatcher.close())); // their last records and metrics are in

      expect([...attemptsById.keys()].sort()).toEqual(deliveries.map((d) => d.id).sort());
      expect(new Set(attemptsById.values())).toEqual(new Set([2])); // never a third attempt: none was made twice
      for (const jobId of new Set(deliveries.map((d) => d.job_id))) {
        for (const record of await outbox.listForJob(jobId)) expect(record).toMatchObject({ state: 'delivered', attempts: 2, last_status: 200 });
      }
      // Both took part.
      expect(served.get(0)).toBeGreaterThan(0);
      expect(served.get(1)).toBeGreaterThan(0);
      expect((served.get(0) ?? 0) + (served.get(1) ?? 0)).toBe(120);
    } finally {
      await Promise.all(dispatchers.map((dispatcher) => dispatcher.close()));
      await Promise.all(clients.map((client) => client.quit()));
      await receiver.close();
    }
  });
});
