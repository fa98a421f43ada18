import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { deleteKeys, connectRedis, newPrefix, requireRedis, TEST_REDIS_URL } from '@image2model/testing/redis';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

const redisUp = await requireRedis();
const UNKNOWN_JOB = 'batch_20990101_000000_zzzzzz';

interface Answer {
  status: number;
  body: string;
}

/** Every route that takes a job or file id, REST and tRPC, as (job id, file id) → answer. */
function routes(server: TestServer): Record<string, (jobId: string, fileId: string) => Promise<Answer>> {
  const get = async (url: string): Promise<Answer> => {
    const res = await fetch(url, { headers: auth(USER_KEY), signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.text() };
  };
  const post = async (url: string, body: unknown): Promise<Answer> => {
    const res = await fetch(url, { method: 'POST', headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.text() };
  };
  const trpcInput = (input: unknown) => encodeURIComponent(JSON.stringify({ json: input }));
  return {
    'GET /status': (job) => get(server.api(`/status/${encodeURIComponent(job)}`)),
    'GET /status/stream': (job) => get(server.api(`/status/stream/${encodeURIComponent(job)}`)),
    'GET /download/all': (job) => get(server.api(`/download/${encodeURIComponent(job)}/all`)),
    'GET /download/model': (job, file) => get(server.api(`/download/${encodeURIComponent(job)}/${encodeURIComponent(file)}/model`)),
    'GET /download/preview': (job, file) => get(server.api(`/download/${encodeURIComponent(job)}/${encodeURIComponent(file)}/preview`)),
    'GET /download/photo': (job, file) => get(server.api(`/download/${encodeURIComponent(job)}/${encodeURIComponent(file)}/photo`)),
    'POST /models/generate-single': (job, file) => post(server.api('/models/generate-single'), { job_id: job, file_id: file }),
    'tRPC status.get': (job) => get(`${server.url}/trpc/status.get?input=${trpcInput({ job_id: job })}`),
    'tRPC models.generateSingle': (job, file) => post(`${server.url}/trpc/models.generateSingle`, { json: { job_id: job, file_id: file } }),
    'POST /jobs/cancel': (job) => post(server.api(`/jobs/${encodeURIComponent(job)}/cancel`), {}),
    'POST /jobs/retry': (job) => post(server.api(`/jobs/${encodeURIComponent(job)}/retry`), {}),
    'tRPC jobs.cancel': (job) => post(`${server.url}/trpc/jobs.cancel`, { json: { job_id: job } }),
    'tRPC jobs.retry': (job) => post(`${server.url}/trpc/jobs.retry`, { json: { job_id: job } }),
    'GET /jobs/webhooks': (job) => get(server.api(`/jobs/${encodeURIComponent(job)}/webhooks`)),
    'POST /jobs/webhooks/redeliver': (job) => post(server.api(`/jobs/${encodeURIComponent(job)}/webhooks/redeliver`), {}),
    'tRPC jobs.webhooks': (job) => get(`${server.url}/trpc/jobs.webhooks?input=${trpcInput({ job_id: job })}`),
    'tRPC jobs.redeliverWebhooks': (job) => post(`${server.url}/trpc/jobs.redeliverWebhooks`, { json: { job_id: job } }),
  };
}

/**
 * An id that is not of its pattern (`<job_id>:tally` names the job's tally hash in Redis) must be
 * an unknown id, byte for byte: never a 500 that tells the job exists, and never a store lookup.
 */
function describeIdChecks(mode: 'embedded' | 'distributed') {
  describe.skipIf(mode === 'distributed' && !redisUp)(`ids outside their patterns (${mode})`, () => {
    let server: TestServer;
    let jobId: string;
    const prefix = newPrefix();

    beforeAll(async () => {
      const provider = new FakeModelProvider();
      server = await startTestServer({ provider, env: mode === 'distributed' ? { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix } : {} });
      const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }] });
      jobId = ((await res.json()) as { job_id: string }).job_id;
      if (mode === 'embedded') await waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY);
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      if (mode === 'distributed') {
        const redis = await connectRedis();
        await deleteKeys(redis, prefix);
        redis.disconnect();
      }
    });

    it('answers a job id with a suffix exactly as an unknown job, on every route', async () => {
      for (const [name, call] of Object.entries(routes(server))) {
        const unknown = await call(UNKNOWN_JOB, 'file_001');
        expect(unknown.status, name).toBe(404);
        for (const badJob of [`${jobId}:tally`, `${jobId}:files`, `${jobId}:events`, `${jobId}/x`, `${jobId}\u0000`]) {
          expect(await call(badJob, 'file_001'), `${name} ${JSON.stringify(badJob)}`).toEqual(unknown);
        }
      }
    });

    it('answers a file id with a suffix exactly as an unknown file', async () => {
      for (const [name, call] of Object.entries(routes(server))) {
        if (!/model|preview|photo|generate/.test(name)) continue;
        const unknown = await call(jobId, 'file_999');
        expect(unknown.status, name).toBe(404);
        for (const badFile of ['file_001:x', 'file_001/..', `file_${'1'.repeat(5000)}x`]) {
          expect(await call(jobId, badFile), `${name} ${badFile.slice(0, 20)}`).toEqual(unknown);
        }
      }
    });
  });
}

describeIdChecks('embedded');
describeIdChecks('distributed');
