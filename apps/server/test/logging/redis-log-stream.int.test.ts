import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { RedisLogStream } from '../../src/logging/redis-log-stream.js';
import { MAX_LOG_MESSAGE_CHARS } from '../../src/logging/log-buffer.js';

const redisUp = await requireRedis();

const line = (level: number, msg: string, time: number, correlation_id?: string) => JSON.stringify({ level, time, msg, ...(correlation_id ? { correlation_id } : {}) });

describe.skipIf(!redisUp)('RedisLogStream', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterEach(async () => {
    await Promise.all(prefixes.splice(0).map((p) => deleteKeys(redis, p)));
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('merges the lines of several processes and answers /logs queries on any of them', async () => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    const api = new RedisLogStream({ redis, prefix });
    const worker = new RedisLogStream({ redis, prefix });
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    api.write(line(30, 'Job created', t0, 'req_1'));
    await api.flush();
    worker.write(line(20, 'debug detail', t0 + 1000));
    worker.write(line(40, 'Transient failure', t0 + 2000));
    await worker.flush();
    api.write(line(50, 'Model generation failed', t0 + 3000));
    api.write('not json');
    await api.close();

    expect(await worker.query({ lines: 100 })).toEqual([
      { timestamp: '2026-01-01T00:00:00.000Z', level: 'INFO', message: 'Job created', correlation_id: 'req_1' },
      { timestamp: '2026-01-01T00:00:01.000Z', level: 'DEBUG', message: 'debug detail', correlation_id: null },
      { timestamp: '2026-01-01T00:00:02.000Z', level: 'WARNING', message: 'Transient failure', correlation_id: null },
      { timestamp: '2026-01-01T00:00:03.000Z', level: 'ERROR', message: 'Model generation failed', correlation_id: null },
    ]);
    expect((await api.query({ lines: 100, level: 'WARNING' })).map((e) => e.message)).toEqual(['Transient failure', 'Model generation failed']);
    expect((await api.query({ lines: 2 })).map((e) => e.message)).toEqual(['Transient failure', 'Model generation failed']);
    expect((await api.query({ lines: 100, since: '2026-01-01T00:00:01Z' })).map((e) => e.message)).toEqual(['debug detail', 'Transient failure', 'Model generation failed']);
  });

  it('keeps the stream capped', async () => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    const logs = new RedisLogStream({ redis, prefix, capacity: 100, maxPending: 10_000 });
    for (let i = 0; i < 1000; i++) logs.write(line(30, `line ${i}`, Date.now()));
    await logs.close();
    const kept = await logs.query({ lines: 10_000 });
    expect(kept.length).toBeLessThan(1000);
    expect(kept.at(-1)?.message).toBe('line 999');
  });

  it('stores long messages cut, so the stream is bounded in bytes as well as entries', async () => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    const logs = new RedisLogStream({ redis, prefix });
    logs.write(JSON.stringify({ level: 20, time: Date.now(), msg: `GET /${'x'.repeat(16_000)} 404`, path: 'y'.repeat(16_000) }));
    await logs.close();
    const [entry] = await logs.query({ lines: 10 });
    expect(entry?.message.length).toBeLessThanOrEqual(MAX_LOG_MESSAGE_CHARS + 3);
    expect(Number(await redis.memory('USAGE', `${prefix}logs`))).toBeLessThan(8_000);
  });
});
