import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, type TestServer } from '@image2model/testing/test-server';

const WORDS = ['health', 'ready', 'upload', 'batch', 'models', 'status', 'stream', 'download', 'model', 'preview', 'all', 'admin', 'logs', 'docs'];
const junk = () => randomBytes(6).toString('base64url');
const word = () => WORDS[Math.floor(Math.random() * WORDS.length)] as string;

/**
 * Paths an attacker (or a scanner) would try: tRPC-shaped, REST-shaped, built from our own words,
 * or plain junk. None is a real route: each has a random part where a route has a fixed word or a
 * segment count no route has (real routes with unknown ids are labelled by their template, bounded).
 */
const SHAPES: (() => string)[] = [
  () => `/trpc/${junk()}`,
  () => `/trpc/${junk()}.${junk()}`,
  () => `/trpc/health.get,${junk()}?batch=1`,
  () => `/api/v1/${junk()}`,
  () => `/api/v1/${word()}/${word()}/${junk()}/${junk()}/${junk()}`,
  () => `/api/v1/${word()}/${junk()}/${word()}/${junk()}`,
  () => `/api/v1/status/${junk()}/${junk()}`,
  () => `/api/v1/docs/${junk()}`,
  () => `/${junk()}`,
  () => `/${word()}/${junk()}`,
];

/** Every kind of caller: both methods, no key and a wrong key. */
function request(i: number): [string, RequestInit] {
  const path = (SHAPES[i % SHAPES.length] as () => string)();
  const method = i % 2 === 0 ? 'GET' : 'HEAD';
  const headers: Record<string, string> = Math.floor(i / 2) % 2 === 0 ? {} : { Authorization: `Bearer wrong-${junk()}` };
  return [path, { method, headers }];
}

/** How many series the service's own metrics hold (default process metrics aside: they do not take labels from requests). */
async function seriesCount(server: TestServer): Promise<number> {
  const text = await server.metrics.registry.metrics();
  return text.split('\n').filter((line) => line.startsWith('image2model_')).length;
}

async function storm(server: TestServer, count: number, offset: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const [path, init] = request(offset + next++);
      const res = await fetch(`${server.url}${path}`, init);
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return statuses;
}

describe('random paths do not grow the metrics registry', { timeout: 120_000 }, () => {
  let server: TestServer;
  afterEach(() => server.stop());

  async function check(env: Record<string, string>, requests: number) {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { ...env, LOG_LEVEL: 'warn' } });
    // A first round gives each status the junk can earn its one `unmatched` series (and the docs
    // page its own). It must be long enough for the rarest route and status the random paths earn:
    // after 400 requests one such series was still missing in a CI run (79 series before the storm,
    // then 94, the count every other run has before it); 2,000 make that far less likely.
    await storm(server, 2_000, 0);
    const before = await seriesCount(server);
    const statuses = await storm(server, requests, 2_000);
    const after = await seriesCount(server);
    const text = await server.metrics.registry.metrics();
    const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    return { before, after, statuses, routes };
  }

  it('labels 10,000 served junk requests (HEAD and GET, no key and a wrong key) as unmatched', async () => {
    const { before, after, statuses, routes } = await check({ RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_PER_HOUR: '1000000' }, 10_000);
    console.log(`served: statuses ${JSON.stringify(Object.fromEntries(statuses))}, series ${before} → ${after}`);
    expect(statuses.get(429)).toBeUndefined();
    expect(after).toBe(before);
    // Only the docs page (Swagger UI answers its own paths) and nothing else besides `unmatched`.
    expect([...routes].filter((route) => route !== 'unmatched' && route !== '/api/v1/docs')).toEqual([]);
  });

  it('labels junk answered 429 as unmatched too', async () => {
    const { before, after, statuses } = await check({ RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_PER_HOUR: '1000000' }, 3_000);
    console.log(`limited: statuses ${JSON.stringify(Object.fromEntries(statuses))}, series ${before} → ${after}`);
    expect(statuses.get(429)).toBeGreaterThan(1_000);
    expect(after).toBe(before);
  });
});
