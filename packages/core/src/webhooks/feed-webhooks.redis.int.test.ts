import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { RedisFileTransitions } from '../adapters/redis/file-transitions.redis.js';
import { RedisJobEvents } from '../adapters/redis/job-events.redis.js';
import { RedisJobStore } from '../adapters/redis/job-store.redis.js';
import { RedisUnfedJobs } from '../adapters/redis/unfed-jobs.redis.js';
import { RedisWebhookOutbox } from '../adapters/redis/webhook-outbox.redis.js';
import { makeFileRecord, makeJobRecord } from '../jobs/job-store.contract.js';
import { silentLogger } from '../logger.js';
import { createWebhookFeeder } from './feed-webhooks.js';
import { feedUnfedJobs } from './unfed-jobs.js';

const redisUp = await requireRedis();
const modelUrl = (jobId: string, fileId: string) => `https://i2m.example.com/api/v1/download/${jobId}/${fileId}/model`;

describe.skipIf(!redisUp)('feeding webhooks in distributed mode (Redis)', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    await Promise.all(prefixes.splice(0).map((prefix) => deleteKeys(redis, prefix)));
  });
  afterAll(async () => {
    await redis.quit();
  });

  function parts() {
    const prefix = newPrefix();
    prefixes.push(prefix);
    const store = new RedisJobStore({ redis, prefix });
    const events = new RedisJobEvents({ redis, prefix });
    const outbox = new RedisWebhookOutbox({ redis, prefix });
    const unfed = new RedisUnfedJobs({ redis, prefix });
    const feeder = createWebhookFeeder({ store, events, outbox, logger: silentLogger, modelUrl, unfed });
    closers.push(async () => {
      await feeder.idle();
      await events.close();
    });
    return { store, events, outbox, unfed, feeder, transitions: new RedisFileTransitions({ redis, prefix }) };
  }

  it('marks a job unfed in the step that appends its final event; the unfed pass queues its webhooks and clears the mark', async () => {
    const { store, outbox, unfed, feeder, transitions } = parts();
    const job = makeJobRecord({ webhook_url: 'https://hooks.example.com/a' });
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'processing' }), makeFileRecord(1, job.job_id, { status: 'processing' })]);
    // A progress transition marks nothing; final ones do (the process "dies" before feeding).
    await transitions.progress(job.job_id, 'file_001', 40, {}, 0);
    expect(await unfed.list(10)).toEqual([]);
    await transitions.finish(job.job_id, 'file_001', { status: 'completed' }, {}, { type: 'completed', warnings: [], shape: null });
    await transitions.finish(job.job_id, 'file_002', { status: 'failed', error: { code: 'PROCESSING_ERROR', message: 'x' } }, {}, { type: 'failed', error: { code: 'PROCESSING_ERROR', message: 'x' } });
    expect(await unfed.list(10)).toEqual([job.job_id]);

    expect(await feedUnfedJobs(feeder, unfed)).toBe(3);
    expect((await outbox.listForJob(job.job_id)).map((d) => d.type)).toEqual(['file.completed', 'file.failed', 'job.finished']);
    expect(await unfed.list(10)).toEqual([]);
    expect(await feedUnfedJobs(feeder, unfed)).toBe(0);
  });

  it('keeps a mark newer than what a feed read, and forgets the mark of a deleted job', async () => {
    const { store, unfed, feeder, transitions } = parts();
    const job = makeJobRecord({ webhook_url: null });
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'processing' })]);
    await transitions.finish(job.job_id, 'file_001', { status: 'cancelled' }, {}, { type: 'cancelled' });
    const cursorBefore = '1-0';
    await unfed.clearUpTo(job.job_id, cursorBefore);
    expect(await unfed.list(10)).toEqual([job.job_id]);
    await feeder.feed(job.job_id);
    expect(await unfed.list(10)).toEqual([]);

    await store.restartFile(job.job_id, 'file_001', { face_limit: null, model_task_id: null }, { status: ['cancelled'] });
    await transitions.finish(job.job_id, 'file_001', { status: 'cancelled' }, {}, { type: 'cancelled' });
    await store.delete(job.job_id);
    expect(await unfed.list(10)).toEqual([job.job_id]);
    await feedUnfedJobs(feeder, unfed);
    expect(await unfed.list(10)).toEqual([]);
  });
});
