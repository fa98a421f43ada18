import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createImage2ModelClient, Image2ModelError } from '@image2model/client';
import { FakeModelProvider } from '@image2model/core/testing';
import { startFalEmulator, type FalEmulator } from '@image2model/fal-emulator';
import { CLUSTER_KEY, startCluster, type Cluster } from '@image2model/testing/cluster';
import { auth, uploadBatch, waitFor, type JobStatusBody } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';
import { requireRedis } from '@image2model/testing/redis';
import { OTHER_USER_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';

const redisUp = await requireRedis();

/** MAX_ACTIVE_FILES_PER_KEY in these tests. */
const LIMIT = 3;

const refusal = (active_files: number, requested: number) => ({
  reason: 'active_files',
  limit: LIMIT,
  active_files,
  requested,
  retry_after: 10,
});

async function upload(apiUrl: string, key: string, count: number): Promise<Response> {
  const photo = await makePhoto({ width: 40, height: 40 });
  return uploadBatch(`${apiUrl}/api/v1/upload/batch`, { key, files: Array.from({ length: count }, (_, i) => ({ name: `p${i}.png`, data: photo })) });
}

async function uploaded(apiUrl: string, key: string, count: number): Promise<string> {
  const res = await upload(apiUrl, key, count);
  expect(res.status).toBe(200);
  return ((await res.json()) as { job_id: string }).job_id;
}

async function post(url: string, key: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { ...auth(key), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** A REST 429 of the active-files limit: the spec's body, with the counts, and Retry-After. */
async function expectRefused(res: Response, active: number, requested: number): Promise<void> {
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe('10');
  expect(await res.json()).toEqual({
    detail: {
      code: 'RATE_LIMIT_EXCEEDED',
      message: `Too many files in progress for this API key: ${active} pending or processing, and this request adds ${requested} (at most ${LIMIT}). Wait for some to finish, or cancel some, then try again`,
      details: refusal(active, requested),
    },
  });
}

async function jobIdsOf(apiUrl: string, key: string): Promise<string[]> {
  const res = await fetch(`${apiUrl}/api/v1/jobs`, { headers: auth(key) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { jobs: { job_id: string }[] }).jobs.map((job) => job.job_id);
}

/**
 * The one scenario, over real HTTP, for both modes (`a` and `b` are two API processes in
 * distributed mode, the same server in embedded mode). The key's files stay pending or processing
 * (held by the caller's generator) until cancelled. Ends with job 1's file_001 and job 2's two
 * files active (3, the limit) and returns the job ids.
 */
async function refuseAndAdmit(a: string, b: string, key: string, otherKey: string): Promise<{ first: string; second: string }> {
  const first = await uploaded(a, key, 2);
  // 2 active + 2 > 3: refused, on either API process, and nothing is stored.
  await expectRefused(await upload(b, key, 2), 2, 2);
  expect(await jobIdsOf(a, key)).toEqual([first]);
  // The count is per key.
  await uploaded(b, otherKey, 3);

  // Cancelled files are no longer active: the same upload is accepted.
  expect((await post(`${b}/api/v1/jobs/${first}/cancel`, key, {})).status).toBe(200);
  const second = await uploaded(a, key, 2);

  // Retry counts the files it would restart: job 1's two cancelled files, on top of 2 active.
  await expectRefused(await post(`${a}/api/v1/jobs/${first}/retry`, key, {}), 2, 2);
  // Generate-single counts one: 2 + 1 fits, then 3 + 1 does not.
  expect((await post(`${b}/api/v1/models/generate-single`, key, { job_id: first, file_id: 'file_001' })).status).toBe(200);
  await expectRefused(await post(`${a}/api/v1/models/generate-single`, key, { job_id: first, file_id: 'file_002' }), 3, 1);

  // /trpc: tRPC's error shape with the spec's code and details, and the same Retry-After.
  const trpc = await post(`${b}/trpc/models.generateSingle`, key, { json: { job_id: first, file_id: 'file_002' } });
  expect(trpc.status).toBe(429);
  expect(trpc.headers.get('retry-after')).toBe('10');
  const { error } = (await trpc.json()) as { error: { json: { message: string; data: Record<string, unknown> } } };
  expect(error.json.message).toMatch(/^Too many files in progress for this API key: 3 pending or processing/);
  expect(error.json.data).toMatchObject({ httpStatus: 429, appCode: 'RATE_LIMIT_EXCEEDED', details: refusal(3, 1) });
  // The typed client hands the details over as they are.
  const client = createImage2ModelClient({ baseUrl: a, apiKey: key });
  const refused = await client.jobs.retry.mutate({ job_id: first }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(Image2ModelError);
  expect(refused).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', status: 429, details: refusal(3, 1) });
  expect(await jobIdsOf(a, key)).toEqual([second, first]);
  return { first, second };
}

describe('MAX_ACTIVE_FILES_PER_KEY: pending + processing files per API key', () => {
  let server: TestServer | null = null;
  let provider: FakeModelProvider | null = null;
  let cluster: Cluster | null = null;
  let fal: FalEmulator | null = null;
  afterEach(async () => {
    provider?.release();
    await server?.stop();
    await cluster?.stop();
    await fal?.close();
    server = null;
    provider = null;
    cluster = null;
    fal = null;
  });

  it('embedded: refuses an upload, retry or generate-single past the limit with 429 and stores nothing; files finishing make room', async () => {
    provider = new FakeModelProvider();
    provider.hold();
    server = await startTestServer({ provider, env: { MAX_ACTIVE_FILES_PER_KEY: String(LIMIT), WORKER_CONCURRENCY: '1' } });
    const { first, second } = await refuseAndAdmit(server.url, server.url, USER_KEY, OTHER_USER_KEY);
    // No refused upload left a temp file or a job directory behind.
    expect(await readdir(join(server.dataDir, 'tmp', 'uploads'))).toEqual([]);
    expect((await readdir(join(server.dataDir, 'jobs'))).filter((id) => id !== first && id !== second)).toHaveLength(1); // the other key's
    await expectRefused(await upload(server.url, USER_KEY, 1), 3, 1);

    provider.release();
    const statusOf = async (jobId: string) => ((await (await fetch(server?.api(`/status/${jobId}`) ?? '', { headers: auth(USER_KEY) })).json()) as JobStatusBody).status;
    await waitFor(async () => ((await statusOf(first)) !== 'processing' && (await statusOf(second)) !== 'processing' ? true : undefined), { what: 'every file to finish' });
    await uploaded(server.url, USER_KEY, LIMIT);
  });

  it.skipIf(!redisUp)('distributed (two API processes, a worker, FAL): the same limits across processes; cancelling makes room', async () => {
    fal = await startFalEmulator({ queueMs: 20, processingMs: 120_000 });
    const otherKey = 'cluster-user-key-0002';
    cluster = await startCluster({
      apis: 2,
      workers: 1,
      env: { FAL_KEY: 'test-fal-key', FAL_BASE_URL: fal.url, WORKER_CONCURRENCY: '8', API_KEYS: `${CLUSTER_KEY},${otherKey}`, MAX_ACTIVE_FILES_PER_KEY: String(LIMIT) },
    });
    const [a, b] = cluster.apis;
    if (!a || !b) throw new Error('two API processes expected');
    const { first, second } = await refuseAndAdmit(a.url, b.url, CLUSTER_KEY, otherKey);
    await expectRefused(await upload(b.url, CLUSTER_KEY, 1), 3, 1);

    // Cancelling every file frees the key's slots, whichever process answers next.
    expect((await post(`${a.url}/api/v1/jobs/${second}/cancel`, CLUSTER_KEY, {})).status).toBe(200);
    expect((await post(`${b.url}/api/v1/jobs/${first}/cancel`, CLUSTER_KEY, {})).status).toBe(200);
    const third = await uploaded(b.url, CLUSTER_KEY, LIMIT);
    expect((await post(`${a.url}/api/v1/jobs/${third}/cancel`, CLUSTER_KEY, {})).status).toBe(200);
  });
});
