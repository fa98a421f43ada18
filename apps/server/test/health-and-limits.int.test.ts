import { rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, OTHER_USER_KEY, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { auth } from '@image2model/testing/http';

describe('health, rate limits, docs and unknown routes', () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it('answers health publicly, without rate-limit headers', async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { RATE_LIMIT_PER_MINUTE: '1' } });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(server.api('/health'));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'healthy' });
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    }
    const ready = await fetch(server.api('/health/ready'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { storage: 'writable', storage_backend: 'fs', redis: 'not_configured', fal_api: 'not_configured' } });
  });

  it('answers 503 in its own shape when storage is not writable', async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
    await rm(server.dataDir, { recursive: true, force: true });
    await writeFile(server.dataDir, 'a file where the data directory should be');
    const res = await fetch(server.api('/health/ready'));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not_ready', checks: { storage: 'unwritable', storage_backend: 'fs', redis: 'not_configured', fal_api: 'not_configured' } });
    await rm(server.dataDir, { force: true });
  });

  it('limits each key per minute with headers, then 429 with Retry-After', async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_PER_HOUR: '100' } });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(server.api('/status/batch_20990101_000000_aaaaaa'), { headers: auth(USER_KEY) });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-ratelimit-limit')).toBe('3');
      remaining.push(res.headers.get('x-ratelimit-remaining') ?? '');
      const reset = Number(res.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
      expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 60);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await fetch(server.api('/status/batch_20990101_000000_aaaaaa'), { headers: auth(USER_KEY) });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ detail: { code: 'RATE_LIMIT_EXCEEDED', message: expect.any(String), details: { retry_after: expect.any(Number), limit: 3, reason: 'minute' } } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    // /trpc shares the limiter; another key has its own budget
    const viaTrpc = await fetch(`${server.url}/trpc/health.get`, { headers: auth(USER_KEY) });
    expect(viaTrpc.status).toBe(429);
    // …in the body tRPC clients read: a serialized error shape, one per procedure of a batch
    expect(await viaTrpc.json()).toMatchObject({ error: { json: { data: { httpStatus: 429, appCode: 'RATE_LIMIT_EXCEEDED', path: 'health.get' } } } });
    const batch = await fetch(`${server.url}/trpc/health.get,health.ready?batch=1&input={}`, { headers: auth(USER_KEY) });
    const batchBody = (await batch.json()) as unknown[];
    expect(batchBody).toHaveLength(2);
    expect(batchBody[1]).toMatchObject({ error: { json: { data: { appCode: 'RATE_LIMIT_EXCEEDED', path: 'health.ready' } } } });
    const other = await fetch(server.api('/status/batch_20990101_000000_aaaaaa'), { headers: auth(OTHER_USER_KEY) });
    expect(other.status).toBe(404);
  });

  it('describes the tighter window in the headers', async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { RATE_LIMIT_PER_MINUTE: '50', RATE_LIMIT_PER_HOUR: '5' } });
    const res = await fetch(server.api('/status/x'), { headers: auth(USER_KEY) });
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('4');
    for (let i = 0; i < 4; i++) await fetch(server.api('/status/x'), { headers: auth(USER_KEY) });
    const limited = await fetch(server.api('/status/x'), { headers: auth(USER_KEY) });
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { detail: { details: unknown } }).detail.details).toEqual({ retry_after: expect.any(Number), limit: 5, reason: 'hour' });
    const viaTrpc = await fetch(`${server.url}/trpc/health.get`, { headers: auth(USER_KEY) });
    expect(await viaTrpc.json()).toMatchObject({ error: { json: { data: { appCode: 'RATE_LIMIT_EXCEEDED', details: { limit: 5, reason: 'hour' } } } } });
  });

  it('limits unknown keys by client address', async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { RATE_LIMIT_PER_MINUTE: '2' } });
    const statuses: number[] = [];
    for (const key of ['wrong-1', 'wrong-2', 'wrong-3']) statuses.push((await fetch(server.api('/status/x'), { headers: auth(key) })).status);
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('serves the OpenAPI document with every endpoint, and the docs page offline', async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
    const res = await fetch(server.api('/openapi.json'), { headers: auth(USER_KEY) });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; servers: { url: string }[] };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.servers[0]?.url).toBe(`${server.url}/api/v1`);
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        'GET /health',
        'GET /health/ready',
        'POST /upload/batch',
        'POST /models/generate-single',
        'GET /status/{job_id}',
        'GET /status/stream/{job_id}',
        'GET /download/{job_id}/{file_id}/model',
        'GET /download/{job_id}/all',
        'GET /admin/system-info',
        'POST /admin/cleanup',
        'GET /logs',
      ]),
    );
    const docs = await fetch(server.api('/docs/'), { headers: auth(USER_KEY) });
    expect(docs.status).toBe(200);
    const html = await docs.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\/(?!localhost|127\.0\.0\.1)[a-z0-9.-]+\/[^"']*\.(js|css)/i);
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
    for (const path of ['/api/v1/nope', '/api/v1/status', '/nothing/here', '/api/v1/']) {
      const res = await fetch(`${server.url}${path}`, { headers: auth(USER_KEY) });
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ detail: { code: 'NOT_FOUND', message: expect.any(String), details: {} } });
    }
    const wrongMethod = await fetch(server.api('/health'), { method: 'DELETE' });
    expect(wrongMethod.status).toBe(404);
  });
});
