import { afterEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { createImage2ModelClient, Image2ModelError, type Image2ModelClient } from './index.js';
import { makePhoto } from '@image2model/testing/images';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { closedPort, startForeignServer } from '@image2model/testing/net';

/** Whatever `promise` rejected with: it must reject. */
async function failure(promise: Promise<unknown>): Promise<Image2ModelError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Image2ModelError);
  return error as Image2ModelError;
}

/** Drains an event iterator, for its error. */
async function drain(events: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of events) {
    // only the error matters
  }
}

describe("errors carry the spec's code, status, message and details", () => {
  let server: TestServer | undefined;
  const start = async (opts: Parameters<typeof startTestServer>[0] = {}) => {
    server = await startTestServer(opts);
    return server;
  };
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('400 VALIDATION_ERROR: from the REST upload and from tRPC input validation', async () => {
    const { url } = await start({ provider: new FakeModelProvider() });
    const client = createImage2ModelClient({ baseUrl: url, apiKey: USER_KEY });
    const rest = await failure(client.upload(await makePhoto(), { faceLimit: 2 }));
    expect(rest).toMatchObject({ code: 'VALIDATION_ERROR', status: 400, message: 'face_limit must be an integer from 4 to 200000', details: { field: 'face_limit' } });
    expect(rest.requestId).toMatch(/^req_/);
    const notAnImage = await failure(client.upload({ name: 'notes.png', data: new TextEncoder().encode('plain text, not a PNG') }));
    expect(notAnImage).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    const trpc = await failure(client.models.generateSingle.mutate({ job_id: 'batch_x', file_id: 'file_001', face_limit: 1 }));
    expect(trpc).toMatchObject({ code: 'VALIDATION_ERROR', status: 400, message: 'Invalid request parameters (face_limit: Too small: expected number to be >=4)' });
    expect(trpc.details).toEqual({ issues: [{ field: 'face_limit', message: 'Too small: expected number to be >=4' }] });
  });

  it('401 AUTHENTICATION_REQUIRED: a wrong or missing key, on every transport', async () => {
    const { url } = await start({ provider: new FakeModelProvider() });
    const wrong = createImage2ModelClient({ baseUrl: url, apiKey: 'not-a-key' });
    const expected = { code: 'AUTHENTICATION_REQUIRED', status: 401 };
    expect(await failure(wrong.status.get.query({ job_id: 'batch_x' }))).toMatchObject(expected);
    expect(await failure(wrong.upload(await makePhoto()))).toMatchObject(expected);
    expect(await failure(wrong.downloadModel('batch_x', 'file_001'))).toMatchObject(expected);
    expect(await failure(wrong.downloadAll('batch_x'))).toMatchObject(expected);
    expect(await failure(drain(wrong.events('batch_x')))).toMatchObject(expected);
    const none = createImage2ModelClient({ baseUrl: url });
    const missing = await failure(none.models.generateSingle.mutate({ job_id: 'batch_x', file_id: 'file_001' }));
    expect(missing).toMatchObject({ ...expected, message: 'Missing API key: send Authorization: Bearer <key>' });
  });

  it('403 INVALID_API_KEY: a user key on an admin procedure', async () => {
    const { url } = await start({ provider: new FakeModelProvider() });
    const client = createImage2ModelClient({ baseUrl: url, apiKey: USER_KEY });
    const error = await failure(client.admin.systemInfo.query());
    expect(error).toMatchObject({ code: 'INVALID_API_KEY', status: 403, message: 'This endpoint needs an admin API key (ADMIN_API_KEYS)', details: {} });
    expect(await failure(client.logs.get.query({}))).toMatchObject({ code: 'INVALID_API_KEY', status: 403 });
  });

  it('404 NOT_FOUND: an unknown job for queries, events and downloads', async () => {
    const { url } = await start({ provider: new FakeModelProvider() });
    const client = createImage2ModelClient({ baseUrl: url, apiKey: USER_KEY });
    const job = 'batch_20990101_000000_abcdef';
    const expected = { code: 'NOT_FOUND', status: 404 };
    expect(await failure(client.status.get.query({ job_id: job }))).toMatchObject({ ...expected, message: 'Job not found' });
    expect(await failure(client.downloadModel(job, 'file_001'))).toMatchObject(expected);
    expect(await failure(client.downloadAll(job))).toMatchObject(expected);
    expect(await failure(client.watch(job))).toMatchObject(expected);
    expect(await failure(client.waitForJob(job))).toMatchObject(expected);
  });

  it('409 CONFLICT: generating a file again while it still runs', async () => {
    const provider = new FakeModelProvider();
    const { url } = await start({ provider });
    const client = createImage2ModelClient({ baseUrl: url, apiKey: USER_KEY });
    provider.hold();
    const { job_id } = await client.upload(await makePhoto());
    await provider.waitForCalls(1);
    const error = await failure(client.models.generateSingle.mutate({ job_id, file_id: 'file_001' }));
    expect(error).toMatchObject({ code: 'CONFLICT', status: 409 });
    provider.release();
  });

  it('413 FILE_TOO_LARGE: a file over MAX_FILE_SIZE_MB', async () => {
    const { url } = await start({ provider: new FakeModelProvider(), env: { MAX_FILE_SIZE_MB: '0.005' } });
    const client = createImage2ModelClient({ baseUrl: url, apiKey: USER_KEY });
    const big = await makePhoto({ width: 400, height: 400, format: 'png' });
    expect(big.length).toBeGreaterThan(0.005 * 1024 * 1024);
    const error = await failure(client.upload({ name: 'big.png', data: big }));
    expect(error).toMatchObject({ code: 'FILE_TOO_LARGE', status: 413, details: { file: 'big.png', max_size_mb: 0.005 } });
  });

  it('429 RATE_LIMIT_EXCEEDED: on /trpc, REST and the event stream, with retry_after', async () => {
    const { url } = await start({ provider: new FakeModelProvider(), env: { RATE_LIMIT_PER_MINUTE: '3' } });
    const client: Image2ModelClient = createImage2ModelClient({ baseUrl: url, apiKey: USER_KEY });
    for (let i = 0; i < 3; i++) await client.status.get.query({ job_id: 'batch_x' }).catch(() => undefined);
    const expected = { code: 'RATE_LIMIT_EXCEEDED', status: 429, details: { retry_after: expect.any(Number), limit: 3 } };
    expect(await failure(client.status.get.query({ job_id: 'batch_x' }))).toMatchObject(expected);
    expect(await failure(client.upload(await makePhoto()))).toMatchObject(expected);
    expect(await failure(client.downloadAll('batch_x'))).toMatchObject(expected);
    expect(await failure(drain(client.events('batch_x')))).toMatchObject(expected);
  });

  it('NETWORK_ERROR when nothing listens, for every kind of call', async () => {
    const port = await closedPort();
    const client = createImage2ModelClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: USER_KEY, reconnect: { retries: 1, minDelayMs: 10 }, retry: { retries: 1, minDelayMs: 10 } });
    const expected = { code: 'NETWORK_ERROR', status: 0, details: { reason: 'ECONNREFUSED' } };
    const query = await failure(client.health.get.query());
    expect(query).toMatchObject({ ...expected, message: `Cannot reach the Image2Model server at http://127.0.0.1:${port} (ECONNREFUSED)` });
    expect(await failure(client.upload(await makePhoto()))).toMatchObject(expected);
    expect(await failure(client.downloadModel('batch_x', 'file_001'))).toMatchObject(expected);
    expect(await failure(drain(client.events('batch_x')))).toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });

  it('UNEXPECTED_RESPONSE when something else answers at the URL', async () => {
    const foreign = await startForeignServer();
    try {
      const client = createImage2ModelClient({ baseUrl: foreign.url, apiKey: USER_KEY, reconnect: { retries: 1, minDelayMs: 10 } });
      const expected = { code: 'UNEXPECTED_RESPONSE', status: 404, details: { content_type: 'text/html' } };
      const query = await failure(client.health.get.query());
      expect(query).toMatchObject(expected);
      expect(query.message).toMatch(/answered 404 \(text\/html\), not as the Image2Model API would: is the server URL right\?/);
      expect(await failure(client.upload(await makePhoto()))).toMatchObject(expected);
      expect(await failure(client.downloadAll('batch_x'))).toMatchObject(expected);
      expect(await failure(drain(client.events('batch_x')))).toMatchObject(expected);
    } finally {
      await foreign.close();
    }
  });

  it('INVALID_CONFIGURATION for a base URL that is not http(s), and FILE_NOT_FOUND for a missing path', async () => {
    expect(() => createImage2ModelClient({ baseUrl: 'localhost:8000' })).toThrow(Image2ModelError);
    expect(() => createImage2ModelClient({ baseUrl: 'not a url' })).toThrow(/Invalid baseUrl "not a url"/);
    const client = createImage2ModelClient({ baseUrl: 'http://127.0.0.1:1' });
    expect(await failure(client.upload('/no/such/photo.png'))).toMatchObject({ code: 'FILE_NOT_FOUND', status: 0, details: { path: '/no/such/photo.png' } });
  });
});
