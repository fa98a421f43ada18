import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeJobQueueContract, waitUntil } from '../../jobs/job-queue.contract.js';
import type { FileTask } from '../../jobs/job-queue.js';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { BullMqJobQueue, type BullMqJobQueueOptions } from './job-queue.bullmq.js';

const redisUp = await requireRedis();

const task = (n: number): FileTask => ({ job_id: 'batch_20240315_123456_bullmq', file_id: `file_${String(n).padStart(3, '0')}`, generation: 1, owner: 'owner-a' });

describe.skipIf(!redisUp)('BullMqJobQueue', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const queues: BullMqJobQueue[] = [];

  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.close({ graceMs: 50 })));
    await Promise.all(prefixes.splice(0).map((prefix) => deleteKeys(redis, prefix)));
  });
  afterAll(async () => {
    await redis.quit();
  });

  /** A queue of this test's own: its own name and key prefix, removed afterwards. */
  function make(opts: Partial<Omit<BullMqJobQueueOptions, 'redis' | 'prefix'>> & { prefix?: string } = {}) {
    const { prefix = newPrefix(), ...rest } = opts;
    if (!prefixes.includes(prefix)) prefixes.push(prefix);
    const queue = new BullMqJobQueue({ redis, name: `q-${randomUUID()}`, ...rest, prefix: `${prefix}bull` });
    queues.push(queue);
    return queue;
  }

  describeJobQueueContract('BullMqJobQueue', async (opts) => {
    const queue = make(opts);
    return {
      queue,
      async cleanup() {
        await queue.close({ graceMs: 50 });
        await queue.obliterate().catch(() => undefined);
      },
    };
  });

  it('hands the file of a worker that died to another worker (stalled-job recovery)', async () => {
    const prefix = newPrefix();
    const name = `q-${randomUUID()}`;
    const dying = make({ prefix, name, lockMs: 500 });
    const survivor = make({ prefix, name, lockMs: 500 });
    const runs: string[] = [];
    dying.process(async (t) => {
      runs.push(`dying:${t.file_id}`);
      await new Promise(() => undefined); // hangs: the process is about to die
    });
    await dying.enqueue([task(1)]);
    await waitUntil(() => runs.length === 1);
    // A dead process renews no lock: stop the dying worker's connections without finishing its job.
    const internals = dying as unknown as { worker: { close(force: boolean): Promise<void> } };
    await internals.worker.close(true);
    survivor.process(async (t) => {
      runs.push(`survivor:${t.file_id}`);
    });
    await waitUntil(() => runs.length === 2, 10_000);
    expect(runs).toEqual(['dying:file_001', 'survivor:file_001']);
  });

  it('gives up a file whose workers kept dying and tells the abandon handler, never running it again', async () => {
    const prefix = newPrefix();
    const name = `q-${randomUUID()}`;
    const dying = make({ prefix, name, lockMs: 500, maxStalledCount: 0 });
    const survivor = make({ prefix, name, lockMs: 500, maxStalledCount: 0 });
    const runs: string[] = [];
    const abandoned: { task: FileTask; reason: string }[] = [];
    dying.process(async (t) => {
      runs.push(`dying:${t.file_id}`);
      await new Promise(() => undefined);
    });
    await dying.enqueue([task(1)]);
    await waitUntil(() => runs.length === 1);
    const internals = dying as unknown as { worker: { close(force: boolean): Promise<void> } };
    await internals.worker.close(true);
    survivor.process(
      async (t) => {
        runs.push(`survivor:${t.file_id}`);
      },
      async (t, reason) => {
        abandoned.push({ task: t, reason });
      },
    );
    await waitUntil(() => abandoned.length === 1, 10_000);
    expect(abandoned).toEqual([{ task: task(1), reason: expect.stringMatching(/stalled/) }]);
    expect(runs).toEqual(['dying:file_001']);
    expect(await survivor.counts()).toEqual({ waiting: 0, active: 0 });
  });

  it('on close, hands a running file back to the queue once the grace period is over', async () => {
    const prefix = newPrefix();
    const name = `q-${randomUUID()}`;
    const stopping = make({ prefix, name });
    const attempts: { who: string; attempt: number }[] = [];
    stopping.process(async (_t, ctx) => {
      attempts.push({ who: 'stopping', attempt: ctx.attempt });
      await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    });
    await stopping.enqueue([task(1)]);
    await waitUntil(() => attempts.length === 1);
    const next = make({ prefix, name });
    await stopping.close({ graceMs: 100 });
    expect(await next.counts()).toEqual({ waiting: 1, active: 0 });
    next.process(async (_t, ctx) => {
      attempts.push({ who: 'next', attempt: ctx.attempt });
    });
    await waitUntil(() => attempts.length === 2, 5000);
    expect(attempts).toEqual([
      { who: 'stopping', attempt: 1 },
      { who: 'next', attempt: 1 }, // handing back does not use up an attempt
    ]);
  });
});
