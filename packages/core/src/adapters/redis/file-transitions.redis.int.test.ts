import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeFileTransitionsContract } from '../../jobs/file-transitions.contract.js';
import { makeFileRecord, makeJobRecord } from '../../jobs/job-store.contract.js';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { RedisFileTransitions } from './file-transitions.redis.js';
import { RedisJobEvents } from './job-events.redis.js';
import { RedisJobStore } from './job-store.redis.js';

const redisUp = await requireRedis();

async function harness(redis: Redis, prefix: string) {
  return {
    transitions: new RedisFileTransitions({ redis, prefix }),
    store: new RedisJobStore({ redis, prefix }),
    events: new RedisJobEvents({ redis, prefix }),
  };
}

describe.skipIf(!redisUp)('RedisFileTransitions', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterEach(async () => {
    await Promise.all(prefixes.splice(0).map((prefix) => deleteKeys(redis, prefix)));
  });
  afterAll(async () => {
    await redis.quit();
  });

  describeFileTransitionsContract('Redis', async () => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    const h = await harness(redis, prefix);
    return { ...h, cleanup: () => h.events.close() };
  });

  it('changes the state and appends its events (done included) in one command, so nothing can fall between them', async () => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    const h = await harness(redis, prefix);
    const job = makeJobRecord();
    await h.store.create(job, [makeFileRecord(0, job.job_id)]);
    const sent: string[] = [];
    const original = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]) => {
      sent.push(command.name);
      return original(command, stream);
    }) as Redis['sendCommand'];
    try {
      await h.transitions.pickUp(job.job_id, 'file_001', 1);
      await h.transitions.progress(job.job_id, 'file_001', 50, { generation: 1, status: ['processing'] }, 0);
      await h.transitions.finish(job.job_id, 'file_001', { status: 'completed' }, { generation: 1, status: ['processing'] }, { type: 'completed', warnings: [], shape: null });
    } finally {
      redis.sendCommand = original;
    }
    expect(sent).toHaveLength(3);
    expect(sent.every((name) => name === 'evalsha' || name === 'eval')).toBe(true);
    expect((await h.events.since(job.job_id, null)).map((e) => e.type)).toEqual(['progress', 'progress', 'completed', 'done']);
    await h.events.close();
  });
});
