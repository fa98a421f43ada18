import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import superjson from 'superjson';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, ADMIN_KEY, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

/**
 * The GET query shortcut must answer byte for byte what tRPC's own handler answers. A batch of two
 * calls always goes through tRPC's handler, so its first element is the reference.
 */
describe('GET /trpc queries through the shortcut', () => {
  let server: TestServer;
  let jobId: string;

  beforeAll(async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }] });
    jobId = ((await res.json()) as { job_id: string }).job_id;
    await waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY);
  });
  afterAll(() => server.stop());

  const input = (value: unknown) => encodeURIComponent(JSON.stringify(superjson.serialize(value)));

  async function viaTrpcHandler(path: string, value: unknown, key: string) {
    const batch = encodeURIComponent(JSON.stringify({ 0: superjson.serialize(value), 1: superjson.serialize(value) }));
    const res = await fetch(`${server.url}/trpc/${path},${path}?batch=1&input=${batch}`, { headers: auth(key) });
    return ((await res.json()) as unknown[])[0];
  }

  const cases: [string, unknown, string][] = [
    ['status.get', () => ({ job_id: jobId }), USER_KEY],
    ['health.get', () => undefined, USER_KEY],
    ['admin.systemInfo', () => undefined, ADMIN_KEY],
    ['logs.get', () => ({ limit: 3 }), ADMIN_KEY],
  ];

  it.each(cases)('%s answers as tRPC does, alone and as a batch of one', async (path, makeInput, key) => {
    const value = (makeInput as () => unknown)();
    const reference = await viaTrpcHandler(path, value, key);
    expect(reference).toHaveProperty('result.data');

    const single = await fetch(`${server.url}/trpc/${path}${value === undefined ? '' : `?input=${input(value)}`}`, { headers: auth(key) });
    expect(single.status).toBe(200);
    expect(single.headers.get('content-type')).toBe('application/json');
    expect(single.headers.get('vary')).toBe('trpc-accept, accept');
    const singleBody = await single.json();

    const batchInput = encodeURIComponent(JSON.stringify(value === undefined ? {} : { 0: superjson.serialize(value) }));
    const batchOfOne = await fetch(`${server.url}/trpc/${path}?batch=1&input=${batchInput}`, { headers: auth(key) });
    expect(batchOfOne.status).toBe(200);
    const batchBody = await batchOfOne.json();

    if (path === 'logs.get' || path === 'admin.systemInfo') {
      // Live figures (log lines, uptime) differ between two calls: compare the shape only.
      expect(Object.keys((singleBody as { result: { data: { json: object } } }).result.data.json)).toEqual(Object.keys((reference as { result: { data: { json: object } } }).result.data.json));
      expect(Object.keys((batchBody as [{ result: { data: { json: object } } }])[0].result.data.json)).toEqual(Object.keys((reference as { result: { data: { json: object } } }).result.data.json));
    } else {
      expect(singleBody).toEqual(reference);
      expect(batchBody).toEqual([reference]);
    }
  });

  it('leaves errors to tRPC: an unknown job, a missing key, bad input and a mutation over GET', async () => {
    const unknown = await fetch(`${server.url}/trpc/status.get?input=${input({ job_id: 'batch_nope' })}`, { headers: auth(USER_KEY) });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { json: { data: { appCode: 'NOT_FOUND', httpStatus: 404, path: 'status.get' } } } });

    const anonymous = await fetch(`${server.url}/trpc/status.get?input=${input({ job_id: jobId })}`);
    expect(anonymous.status).toBe(401);

    const garbage = await fetch(`${server.url}/trpc/status.get?input=%7Bnot-json`, { headers: auth(USER_KEY) });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ error: { json: { data: { httpStatus: 400 } } } });

    // Was a 500 PROCESSING_ERROR: tRPC's METHOD_NOT_SUPPORTED had no spec code.
    const mutation = await fetch(`${server.url}/trpc/admin.cleanup`, { headers: auth(ADMIN_KEY) });
    expect(mutation.status).toBe(400);
    expect(await mutation.json()).toMatchObject({ error: { json: { data: { appCode: 'VALIDATION_ERROR', httpStatus: 400 } } } });
  });

  it('leaves to tRPC what it refuses or streams: malformed batch inputs, a body type, JSONL', async () => {
    for (const raw of ['5', '"x"', 'null', '[]']) {
      const res = await fetch(`${server.url}/trpc/health.get?batch=1&input=${encodeURIComponent(raw)}`, { headers: auth(USER_KEY) });
      expect(res.status, raw).toBe(400);
    }
    const arrayInput = encodeURIComponent(JSON.stringify([superjson.serialize({ job_id: jobId })]));
    expect((await fetch(`${server.url}/trpc/status.get?batch=1&input=${arrayInput}`, { headers: auth(USER_KEY) })).status).toBe(400);

    const withBodyType = await fetch(`${server.url}/trpc/health.get`, { headers: { ...auth(USER_KEY), 'Content-Type': 'application/octet-stream' } });
    expect(withBodyType.status).toBe(400);

    // httpBatchStreamLink({ streamHeader: 'accept' }) asks with Accept only: tRPC answers JSON lines.
    const streamed = await fetch(`${server.url}/trpc/health.get?batch=1`, { headers: { ...auth(USER_KEY), Accept: 'application/jsonl' } });
    expect(streamed.status).toBe(200);
    const text = await streamed.text();
    expect(text.startsWith('[')).toBe(false);
    expect(text).toContain('healthy');
  });

  it('keeps the Vary: Origin of an open CORS policy', async () => {
    const open = await startTestServer({ provider: new FakeModelProvider(), env: { CORS_ORIGINS: 'https://app.example' } });
    try {
      const res = await fetch(`${open.url}/trpc/health.get`, { headers: { ...auth(USER_KEY), Origin: 'https://app.example' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(res.headers.get('vary')?.toLowerCase().split(/,\s*/)).toEqual(expect.arrayContaining(['origin', 'trpc-accept', 'accept']));
    } finally {
      await open.stop();
    }
  });
});
