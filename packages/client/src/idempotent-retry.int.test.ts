import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { createImage2ModelClient } from './index.js';
import { makePhoto } from '@image2model/testing/images';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';

interface Sent {
  url: string;
  key: string | null;
}

/**
 * A fetch that sends every request to the real server but, for the first `lose` requests to
 * `losing`, throws a network error once the server has answered: the work happened, the answer
 * was lost, as when a connection drops on the way back.
 */
function lossyFetch(losing: string, lose: number, answer: 'drop' | 503 = 'drop') {
  const sent: Sent[] = [];
  let lost = 0;
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? init.body : '';
    sent.push({ url, key: headers.get('idempotency-key') ?? (/"idempotency_key":"([^"]+)"/.exec(body)?.[1] ?? null) });
    const response = await fetch(input, init);
    if (url.includes(losing) && lost < lose) {
      lost += 1;
      await response.body?.cancel();
      if (answer === 'drop') throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      return new Response(JSON.stringify({ detail: { code: 'SERVICE_UNAVAILABLE', message: 'proxy timeout', details: {} } }), { status: 503, headers: { 'content-type': 'application/json' } });
    }
    return response;
  };
  return { fetchImpl, sent };
}

describe('the client retries uploads and idempotent mutations with one Idempotency-Key', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
  });
  afterEach(() => server.stop());

  const jobCount = async () => Object.values(await server.runtime.store.counts()).reduce((sum, n) => sum + n, 0);
  const retry = { retries: 3, minDelayMs: 10 };

  it('sends a fresh key with every upload, and the same key again when the answer was lost: one job', async () => {
    const lossy = lossyFetch('/upload/batch', 2);
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY, fetch: lossy.fetchImpl, retry });
    const photo = await makePhoto();
    const first = await client.upload(photo);
    expect(lossy.sent).toHaveLength(3);
    const [key] = new Set(lossy.sent.map((s) => s.key));
    expect(new Set(lossy.sent.map((s) => s.key)).size).toBe(1);
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await jobCount()).toBe(1);
    expect(first.total_files).toBe(1);

    const second = await client.upload(photo);
    expect(second.job_id).not.toBe(first.job_id);
    expect(lossy.sent.at(-1)?.key).not.toBe(key);
    expect(await jobCount()).toBe(2);
  });

  it("uses the caller's key, retries after a 5xx with it, and gives up with the error after the configured retries", async () => {
    const lossy = lossyFetch('/upload/batch', 10, 503);
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY, fetch: lossy.fetchImpl, retry: { retries: 2, minDelayMs: 10 } });
    const error = await client.upload(await makePhoto(), { idempotencyKey: 'my-upload-1' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(lossy.sent.map((s) => s.key)).toEqual(['my-upload-1', 'my-upload-1', 'my-upload-1']);
    expect(await jobCount()).toBe(1);
  });

  it('does not retry what a retry cannot change (a 4xx)', async () => {
    const lossy = lossyFetch('/nothing', 0);
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY, fetch: lossy.fetchImpl, retry });
    const error = await client.upload({ name: 'a.png', data: new TextEncoder().encode('not a png') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    expect(lossy.sent).toHaveLength(1);
  });

  it('sends generateSingle with a fresh idempotency_key and retries it with the same after a lost answer: queued once', async () => {
    const plain = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    const { job_id } = await plain.upload(await makePhoto());
    await plain.waitForJob(job_id);
    const lossy = lossyFetch('/trpc/models.generateSingle', 1);
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY, fetch: lossy.fetchImpl, retry });
    const answer = await client.models.generateSingle.mutate({ job_id, file_id: 'file_001', face_limit: 500 });
    const keys = lossy.sent.filter((s) => s.url.includes('generateSingle')).map((s) => s.key);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]).not.toBeNull();
    // The lost first attempt queued the file; the retry got that answer back instead of 409 CONFLICT.
    expect(answer).toMatchObject({ job_id, file_id: 'file_001', status: 'processing' });
    const job = await plain.waitForJob(job_id);
    expect(job.files[0]?.model_task_id).toBe(answer.model_task_id);
  });
});
