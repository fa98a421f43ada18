import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@image2model/core';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';
import { serverDist } from '@image2model/testing/server-dist';
import { requireRedis } from '@image2model/testing/redis';
import { CLUSTER_KEY, startCluster, type Cluster } from '@image2model/testing/cluster';

/** A public address written as one: accepted without a DNS server (the tests have none). */
const PUBLIC_HOOK = 'https://93.184.216.34/hooks/i2m';
const OTHER_PUBLIC_HOOK = 'https://93.184.216.35/hooks/other';

describe('webhook_url on jobs (embedded mode, over HTTP)', () => {
  let server: TestServer;
  let provider: FakeModelProvider;
  afterEach(async () => {
    provider.release();
    await server.stop();
  });

  async function start(env: Record<string, string> = { PUBLIC_URL: 'https://i2m.example.com' }) {
    provider = new FakeModelProvider();
    server = await startTestServer({ provider, env });
  }

  const upload = async (fields: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }], fields, headers });
  const post = (path: string, body: unknown) =>
    fetch(server.api(path), { method: 'POST', headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const status = (jobId: string) => waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY);
  const listedJobs = async () => ((await (await fetch(server.api('/jobs'), { headers: auth(USER_KEY) })).json()) as { jobs: unknown[] }).jobs;

  async function refusal(res: Response, reason: RegExp | string) {
    expect(res.status).toBe(400);
    const body = (await res.json()) as { detail: { code: string; message: string; details: { field: string; reason: string } } };
    expect(body.detail.code).toBe('VALIDATION_ERROR');
    expect(body.detail.details.field).toBe('webhook_url');
    expect(body.detail.details.reason).toMatch(reason);
    return body.detail;
  }

  it('stores the upload\'s webhook_url on the job and shows it in the status; none named and no default is null', async () => {
    await start();
    const named = await upload({ webhook_url: PUBLIC_HOOK });
    expect(named.status).toBe(200);
    const { job_id } = (await named.json()) as { job_id: string };
    expect((await status(job_id)).webhook_url).toBe(PUBLIC_HOOK);

    const plain = (await (await upload()).json()) as { job_id: string };
    expect((await status(plain.job_id)).webhook_url).toBeNull();
  });

  it('gives jobs that name none the WEBHOOK_URL default, stored at creation; a job naming one keeps its own', async () => {
    await start({ PUBLIC_URL: 'https://i2m.example.com', WEBHOOK_URL: OTHER_PUBLIC_HOOK });
    const plain = (await (await upload()).json()) as { job_id: string };
    expect((await status(plain.job_id)).webhook_url).toBe(OTHER_PUBLIC_HOOK);
    const named = (await (await upload({ webhook_url: PUBLIC_HOOK })).json()) as { job_id: string };
    expect((await status(named.job_id)).webhook_url).toBe(PUBLIC_HOOK);
  });

  it('refuses http:// without WEBHOOK_ALLOW_HTTP and localhost without WEBHOOK_ALLOW_PRIVATE (400, field and reason), storing nothing', async () => {
    await start();
    await refusal(await upload({ webhook_url: 'http://93.184.216.34/hook' }), 'must use https://');
    // localhost resolves to 127.0.0.1 here: the upload-time check resolves the name.
    await refusal(await upload({ webhook_url: 'https://localhost/hook' }), /resolves to a non-public address \(localhost → (127\.0\.0\.1|::1)\)/);
    await refusal(await upload({ webhook_url: 'https://10.1.2.3/hook' }), 'points at a non-public address (10.1.2.3)');
    await refusal(await upload({ webhook_url: 'not a url' }), 'is not an absolute URL');
    await refusal(await upload({ webhook_url: `https://93.184.216.34/${'x'.repeat(2048)}` }), 'is longer than 2048 characters');
    expect(await listedJobs()).toEqual([]);
    expect(await readdir(join(server.dataDir, 'tmp', 'uploads'))).toEqual([]);
    expect(provider.calls).toEqual([]);
  });

  it('accepts http:// on loopback when the server allows both', async () => {
    await start({ PUBLIC_URL: 'http://127.0.0.1:1', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
    const res = await upload({ webhook_url: 'http://localhost:9/hook' });
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    expect((await status(job_id)).webhook_url).toBe('http://localhost:9/hook');
  });

  it('refuses every webhook_url on a server without PUBLIC_URL, saying the operator must set it', async () => {
    await start({});
    const detail = await refusal(await upload({ webhook_url: PUBLIC_HOOK }), /PUBLIC_URL/);
    expect(detail.message).toContain('the operator must set PUBLIC_URL');
    expect(await listedJobs()).toEqual([]);
    // Jobs without one are unaffected.
    expect((await upload()).status).toBe(200);
  });

  it('replaces the job\'s URL on retry and generate-single when one is named; a refused one changes and restarts nothing', async () => {
    await start();
    provider.failNext(new AppError('PROCESSING_ERROR', 'first try fails'));
    const { job_id } = (await (await upload({ webhook_url: PUBLIC_HOOK })).json()) as { job_id: string };
    expect((await status(job_id)).status).toBe('failed');
    const calls = provider.calls.length;

    await refusal(await post(`/jobs/${job_id}/retry`, { webhook_url: 'https://localhost/hook' }), /non-public address/);
    await refusal(await post('/models/generate-single', { job_id, file_id: 'file_001', webhook_url: 'ftp://93.184.216.34/' }), 'must use https://');
    const unchanged = await status(job_id);
    expect(unchanged).toMatchObject({ status: 'failed', webhook_url: PUBLIC_HOOK });
    expect(provider.calls.length).toBe(calls);

    provider.failNext(new AppError('PROCESSING_ERROR', 'second try fails too'));
    expect((await post(`/jobs/${job_id}/retry`, { webhook_url: OTHER_PUBLIC_HOOK })).status).toBe(200);
    expect(await status(job_id)).toMatchObject({ status: 'failed', webhook_url: OTHER_PUBLIC_HOOK });

    expect((await post('/models/generate-single', { job_id, file_id: 'file_001', webhook_url: PUBLIC_HOOK })).status).toBe(200);
    expect(await status(job_id)).toMatchObject({ status: 'completed', webhook_url: PUBLIC_HOOK });

    // Named nowhere: the job keeps its URL.
    provider.failNext(new AppError('PROCESSING_ERROR', 'third try fails'));
    expect((await post('/models/generate-single', { job_id, file_id: 'file_001' })).status).toBe(200);
    expect((await status(job_id)).webhook_url).toBe(PUBLIC_HOOK);
  });

  it('counts webhook_url in the upload\'s Idempotency-Key fingerprint: another URL under a used key is a 422', async () => {
    await start();
    const photo = await makePhoto();
    const send = (webhook_url: string) =>
      uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: photo }], fields: { webhook_url }, headers: { 'Idempotency-Key': 'hook-key-1' } });
    expect((await send(PUBLIC_HOOK)).status).toBe(200);
    expect((await send(PUBLIC_HOOK)).headers.get('idempotent-replayed')).toBe('true');
    const changed = await send(OTHER_PUBLIC_HOOK);
    expect(changed.status).toBe(422);
    expect(((await changed.json()) as { detail: { code: string } }).detail.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await listedJobs()).toHaveLength(1);
  });

  it('answers tRPC callers with the same refusal', async () => {
    await start();
    provider.failNext(new AppError('PROCESSING_ERROR', 'fails'));
    const { job_id } = (await (await upload()).json()) as { job_id: string };
    await status(job_id);
    const res = await fetch(`${server.url}/trpc/jobs.retry`, {
      method: 'POST',
      headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' },
      body: JSON.stringify({ json: { job_id, webhook_url: 'http://93.184.216.34/' } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { json: { message: string; data: { appCode: string; details: unknown } } } };
    expect(body.error.json.message).toBe('webhook_url must use https://');
    expect(body.error.json.data).toMatchObject({ appCode: 'VALIDATION_ERROR', details: { field: 'webhook_url', reason: 'must use https://' } });
  });
});

describe('WEBHOOK_URL at start-up', () => {
  it('is refused without PUBLIC_URL, with a message saying to set it', async () => {
    const run = promisify(execFile)(process.execPath, [serverDist('main.js')], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', WEBHOOK_URL: PUBLIC_HOOK },
      timeout: 30_000,
    });
    const failure = (await run.then(
      () => null,
      (error: unknown) => error,
    )) as { code: number; stderr: string } | null;
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('WEBHOOK_URL needs PUBLIC_URL');
  });
});

const redisUp = await requireRedis();

/** Two API processes (the built dist, real Redis) and no worker: files stay pending, so a cancel and a retry need no generator. */
describe.skipIf(!redisUp)('webhook_url on jobs (distributed mode, two API processes)', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ apis: 2, workers: 0, env: { PUBLIC_URL: 'https://i2m.example.com' } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('stores the upload\'s URL where every API process reads it, refuses localhost, and a retry on the other process replaces it', async () => {
    const [a, b] = cluster.apis;
    if (!a || !b) throw new Error('two API processes expected');
    const photo = await makePhoto();
    const uploadTo = (url: string, webhook_url: string) => uploadBatch(`${url}/api/v1/upload/batch`, { key: CLUSTER_KEY, files: [{ name: 'a.png', data: photo }], fields: { webhook_url } });
    const statusAt = async (url: string, jobId: string) => ((await (await fetch(`${url}/api/v1/status/${jobId}`, { headers: auth(CLUSTER_KEY) })).json()) as { webhook_url: string | null; status: string });
    const postTo = (url: string, path: string, body: unknown) =>
      fetch(`${url}/api/v1${path}`, { method: 'POST', headers: { ...auth(CLUSTER_KEY), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

    const refused = await uploadTo(b.url, 'https://localhost/hook');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { detail: { details: unknown } }).detail.details).toMatchObject({ field: 'webhook_url', reason: expect.stringContaining('non-public address') });

    const uploaded = await uploadTo(a.url, PUBLIC_HOOK);
    expect(uploaded.status).toBe(200);
    const { job_id } = (await uploaded.json()) as { job_id: string };
    expect(await statusAt(b.url, job_id)).toMatchObject({ status: 'processing', webhook_url: PUBLIC_HOOK });

    expect((await postTo(b.url, `/jobs/${job_id}/cancel`, {})).status).toBe(200);
    expect((await postTo(b.url, `/jobs/${job_id}/retry`, { webhook_url: OTHER_PUBLIC_HOOK })).status).toBe(200);
    expect(await statusAt(a.url, job_id)).toMatchObject({ status: 'processing', webhook_url: OTHER_PUBLIC_HOOK });
  });
});
