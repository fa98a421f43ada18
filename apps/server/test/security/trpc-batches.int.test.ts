import { afterEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { auth } from '@image2model/testing/http';

const batchOf = (procedure: string, n: number) => `/trpc/${Array.from({ length: n }, () => procedure).join(',')}?batch=1&input={}`;

describe('tRPC batches without a key', { timeout: 60_000 }, () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it('answers a batch over MAX_BATCH_SIZE with one 400 VALIDATION_ERROR in tRPC error shape, and serves one at the limit', async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { MAX_BATCH_SIZE: '25' } });
    const atLimit = await fetch(`${server.url}${batchOf('health.get', 25)}`);
    expect(atLimit.status).toBe(200);
    expect((await atLimit.json()) as unknown[]).toHaveLength(25);

    for (const n of [26, 1_200]) {
      const over = await fetch(`${server.url}${batchOf('health.ready', n)}`);
      expect(over.status, `batch of ${n}`).toBe(400);
      expect(await over.json()).toMatchObject({
        error: { json: { data: { code: 'BAD_REQUEST', httpStatus: 400, appCode: 'VALIDATION_ERROR', details: { max_batch_size: 25, batch_size: n } } } },
      });
    }
    // POST (mutations) alike.
    const posted = await fetch(`${server.url}/trpc/${Array.from({ length: 30 }, () => 'admin.cleanup').join(',')}?batch=1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(posted.status).toBe(400);
  });

  it('counts a batch of N as N requests against the rate limits', async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { RATE_LIMIT_PER_MINUTE: '30' } });
    const first = await fetch(`${server.url}${batchOf('health.get', 25)}`, { headers: auth(USER_KEY) });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-remaining')).toBe('5');
    const second = await fetch(`${server.url}${batchOf('health.get', 10)}`, { headers: auth(USER_KEY) });
    expect(second.status).toBe(429);
    expect(((await second.json()) as { error: { json: { data: { appCode: string } } } }[])[0]?.error.json.data.appCode).toBe('RATE_LIMIT_EXCEEDED');
  });

  it('runs one readiness probe for many concurrent ready calls (REST and a tRPC batch), and caches its answer about a second', async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
    const storage = server.runtime.storage;
    const probe = storage.checkWritable.bind(storage);
    let probes = 0;
    storage.checkWritable = () => {
      probes += 1;
      return probe();
    };
    const calls = [
      ...Array.from({ length: 200 }, () => fetch(server.api('/health/ready')).then((res) => res.status)),
      fetch(`${server.url}${batchOf('health.ready', 25)}`).then((res) => res.status),
    ];
    expect(new Set(await Promise.all(calls))).toEqual(new Set([200]));
    expect(probes).toBeLessThanOrEqual(2);
    // The health route stays unlimited for probes, and a second later the next call looks again.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await fetch(server.api('/health/ready'))).status).toBe(200);
    expect(probes).toBeGreaterThan(0);
    expect(probes).toBeLessThanOrEqual(3);
  });

});
