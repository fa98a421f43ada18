import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { auth, getFrom } from '@image2model/testing/http';

const PER_MINUTE = 20;
// Three clients, told apart by their loopback source address (the server does not trust proxies).
const ATTACKER = '127.0.0.2';
const NEIGHBOUR = '127.0.0.3';
const wrongKey = (i: number) => ({ Authorization: `Bearer wrong-key-${i}` });

describe('a flood of wrong API keys from one address', { timeout: 120_000 }, () => {
  let server: TestServer;
  const status = () => server.api('/status/batch_20990101_000000_aaaaaa');

  beforeAll(async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { RATE_LIMIT_PER_MINUTE: String(PER_MINUTE) } });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('is answered 401 up to the per-address limit, then 429 RATE_LIMIT_EXCEEDED with rate-limit headers, while others are served', async () => {
    const answers = [];
    for (let i = 0; i < PER_MINUTE + 10; i++) answers.push(await getFrom(status(), { localAddress: ATTACKER, headers: wrongKey(i) }));
    expect(answers.slice(0, PER_MINUTE).map((a) => a.status)).toEqual(Array(PER_MINUTE).fill(401));
    expect(answers.slice(PER_MINUTE).map((a) => a.status)).toEqual(Array(10).fill(429));

    const limited = answers[PER_MINUTE + 9];
    expect(JSON.parse(limited?.body ?? '')).toMatchObject({ detail: { code: 'RATE_LIMIT_EXCEEDED', details: { limit: PER_MINUTE } } });
    expect(limited?.headers['x-ratelimit-limit']).toBe(String(PER_MINUTE));
    expect(limited?.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(limited?.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    // Switching to the tRPC transport does not either: both draw from one budget.
    const viaTrpc = await getFrom(`${server.url}/trpc/health`, { localAddress: ATTACKER, headers: wrongKey(98) });
    expect(viaTrpc.status).toBe(429);
    expect(viaTrpc.body).toContain('RATE_LIMIT_EXCEEDED');

    // Nor does the metrics endpoint of the API port: it is behind the same limiter.
    const viaMetrics = await getFrom(`${server.url}/metrics`, { localAddress: ATTACKER, headers: wrongKey(97) });
    expect(viaMetrics.status).toBe(429);
    expect(JSON.parse(viaMetrics.body)).toMatchObject({ detail: { code: 'RATE_LIMIT_EXCEEDED', details: { limit: PER_MINUTE, reason: 'minute' } } });

    // A forged X-Forwarded-For does not buy the attacker a fresh budget.
    const forged = await getFrom(status(), { localAddress: ATTACKER, headers: { ...wrongKey(99), 'X-Forwarded-For': '203.0.113.7' } });
    expect(forged.status).toBe(429);

    // A valid key is counted against the key, not the address: served, from anywhere.
    for (const localAddress of [NEIGHBOUR, ATTACKER]) {
      const served = await getFrom(status(), { localAddress, headers: auth(USER_KEY) });
      expect(served.status, localAddress).toBe(404);
      expect(JSON.parse(served.body)).toMatchObject({ detail: { code: 'NOT_FOUND' } });
    }
    // Another address has its own budget, even with a wrong key.
    expect((await getFrom(status(), { localAddress: NEIGHBOUR, headers: wrongKey(0) })).status).toBe(401);
  });
});
