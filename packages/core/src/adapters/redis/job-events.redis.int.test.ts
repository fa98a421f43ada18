import { setMaxListeners } from 'node:events';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { describeJobEventsContract, take } from '../../jobs/job-events.contract.js';
import type { JobEventPayload } from '../../jobs/job-events.js';
import { RedisJobEvents } from './job-events.redis.js';

const redisUp = await requireRedis();

const jobIdOf = (n: number) => `batch_20240315_123456_fan${String(n).padStart(3, '0')}`;
const progress = (jobId: string, value: number): JobEventPayload => ({ type: 'progress', job_id: jobId, file_id: 'file_001', progress: value });

/** This test's connections (by name) and how many of them are blocked in XREAD. */
async function connectionsNamed(redis: Redis, name: string): Promise<{ total: number; reading: number }> {
  const lines = String(await redis.client('LIST')).split('\n').filter((line: string) => line.includes(` name=${name} `));
  return { total: lines.length, reading: lines.filter((line: string) => line.includes(' cmd=xread ')).length };
}

describe.skipIf(!redisUp)('RedisJobEvents', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const opened: RedisJobEvents[] = [];
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((events) => events.close()));
    await Promise.all(clients.splice(0).map((client) => client.quit()));
    await Promise.all(prefixes.splice(0).map((prefix) => deleteKeys(redis, prefix)));
  });
  afterAll(async () => {
    await redis.quit();
  });

  async function open(prefix = newPrefix(), opts: { maxLen?: number; name?: string } = {}) {
    if (!prefixes.includes(prefix)) prefixes.push(prefix);
    const { name, ...eventOpts } = opts;
    const client = await connectRedis(undefined, name ? { name } : {});
    clients.push(client);
    const events = new RedisJobEvents({ redis: client, prefix, ...eventOpts });
    opened.push(events);
    return { events, client, prefix };
  }

  describeJobEventsContract('RedisJobEvents', async () => {
    const { events, prefix } = await open();
    return {
      events,
      async reopen() {
        return (await open(prefix)).events; // a new process: its own connection and reader
      },
      async cleanup() {},
    };
  });

  it('serves every subscriber of every job from one blocking connection', async () => {
    const name = `fanout-${Date.now()}`;
    const { events } = await open(newPrefix(), { name });
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const subscriptions = Array.from({ length: 40 }, (_, i) => ({ jobId: jobIdOf(i % 8), live: events.subscribe(jobIdOf(i % 8), { signal: controller.signal }) }));
    const appended = await Promise.all(Array.from({ length: 8 }, (_, j) => events.append(jobIdOf(j), progress(jobIdOf(j), j))));
    const received = await Promise.all(subscriptions.map((s) => take(s.live, 1)));
    for (const [i, got] of received.entries()) expect(got).toEqual([appended[i % 8]]);
    expect(events.blockingConnections).toBe(1);
    // Two connections in all (commands + the reader), and one XREAD for 40 subscribers of 8 jobs.
    await expect.poll(() => connectionsNamed(redis, name)).toEqual({ total: 2, reading: 1 });
    controller.abort();
  });

  it('delivers live events appended by another process', async () => {
    const prefix = newPrefix();
    const api = await open(prefix);
    const worker = await open(prefix);
    const controller = new AbortController();
    const live = api.events.subscribe(jobIdOf(1), { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 20)); // the subscription's start id is read
    const sent = [await worker.events.append(jobIdOf(1), progress(jobIdOf(1), 5)), await worker.events.append(jobIdOf(1), { type: 'done', job_id: jobIdOf(1), status: 'completed' })];
    expect(await take(live, 2)).toEqual(sent);
    controller.abort();
  });

  it('caps each job stream, keeping the newest events', async () => {
    const { events } = await open(newPrefix(), { maxLen: 100 });
    await Promise.all(Array.from({ length: 400 }, (_, i) => events.append(jobIdOf(2), progress(jobIdOf(2), i % 100))));
    const kept = await events.since(jobIdOf(2), null);
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.length).toBeLessThan(400);
    expect(kept.at(-1)).toMatchObject({ progress: 99 });
  });

  it('replays everything for an id newer than any stored one, as for an unknown id', async () => {
    const { events } = await open();
    const first = await events.append(jobIdOf(3), progress(jobIdOf(3), 1));
    expect(await events.since(jobIdOf(3), '99999999999999-0')).toEqual([first]);
    expect(await events.since(jobIdOf(3), first.id)).toEqual([]);
  });

  it('ends live subscriptions of a deleted job and on close', async () => {
    const { events } = await open();
    const live = events.subscribe(jobIdOf(4), { signal: new AbortController().signal });
    const other = events.subscribe(jobIdOf(5), { signal: new AbortController().signal });
    await events.delete(jobIdOf(4));
    expect(await live[Symbol.asyncIterator]().next()).toMatchObject({ done: true });
    await events.close();
    expect(await other[Symbol.asyncIterator]().next()).toMatchObject({ done: true });
  });
});
