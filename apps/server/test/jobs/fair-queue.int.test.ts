import { afterEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startFalEmulator, type FalEmulator } from '@image2model/fal-emulator';
import { CLUSTER_KEY, startCluster, type Cluster } from '@image2model/testing/cluster';
import { auth, uploadBatch, waitFor, type JobStatusBody } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';
import { requireRedis } from '@image2model/testing/redis';
import { OTHER_USER_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';

const redisUp = await requireRedis();

/** Key A's backlog: four uploads of 25 (MAX_FILES), queued before key B's one photo. */
async function uploadBacklog(apiUrl: string, key: string): Promise<string[]> {
  const photo = await makePhoto({ width: 48, height: 48 });
  const jobs: string[] = [];
  for (let batch = 0; batch < 4; batch += 1) {
    const res = await uploadBatch(`${apiUrl}/api/v1/upload/batch`, { key, files: Array.from({ length: 25 }, (_, i) => ({ name: `a${batch}-${i}.png`, data: photo })) });
    expect(res.status).toBe(200);
    jobs.push(((await res.json()) as { job_id: string }).job_id);
  }
  return jobs;
}

async function uploadOne(apiUrl: string, key: string): Promise<string> {
  const res = await uploadBatch(`${apiUrl}/api/v1/upload/batch`, { key, files: [{ name: 'b.png', data: await makePhoto({ width: 40, height: 40 }) }] });
  expect(res.status).toBe(200);
  return ((await res.json()) as { job_id: string }).job_id;
}

async function statusOf(apiUrl: string, key: string, jobId: string): Promise<JobStatusBody> {
  const res = await fetch(`${apiUrl}/api/v1/status/${jobId}`, { headers: auth(key) });
  return (await res.json()) as JobStatusBody;
}

describe("one key's backlog does not hold back another key's photo", () => {
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
    cluster = null;
    fal = null;
  });

  it('embedded: key B\'s one file starts before key A\'s 10th', async () => {
    provider = new FakeModelProvider();
    server = await startTestServer({ provider, env: { WORKER_CONCURRENCY: '2', RATE_LIMIT_PER_MINUTE: '1000' } });
    provider.hold();
    const backlog = await uploadBacklog(server.url, USER_KEY);
    const single = await uploadOne(server.url, OTHER_USER_KEY);
    provider.release();
    await waitFor(async () => ((await statusOf(server?.url ?? '', OTHER_USER_KEY, single)).status === 'completed' ? true : undefined), { what: "key B's file" });
    const order = provider.calls.map((call) => call.job_id);
    const startedBefore = order.indexOf(single);
    expect(startedBefore).toBeGreaterThanOrEqual(0);
    expect(order.slice(0, startedBefore).every((jobId) => backlog.includes(jobId))).toBe(true);
    expect(startedBefore).toBeLessThan(9);
  });

  it.skipIf(!redisUp)('distributed (two API processes, a worker, FAL): key B\'s one file completes before key A\'s 10th', async () => {
    fal = await startFalEmulator({ queueMs: 20, processingMs: 250 });
    const otherKey = 'cluster-user-key-0002';
    cluster = await startCluster({
      apis: 2,
      workers: 1,
      env: { FAL_KEY: 'test-fal-key', FAL_BASE_URL: fal.url, WORKER_CONCURRENCY: '2', API_KEYS: `${CLUSTER_KEY},${otherKey}` },
    });
    const [a, b] = cluster.apis;
    if (!a || !b) throw new Error('two API processes expected');
    const backlog = await uploadBacklog(a.url, CLUSTER_KEY);
    const single = await uploadOne(b.url, otherKey);
    await waitFor(async () => ((await statusOf(b.url, otherKey, single)).status === 'completed' ? true : undefined), { what: "key B's file", timeoutMs: 30_000 });
    let completedOfA = 0;
    for (const jobId of backlog) completedOfA += (await statusOf(a.url, CLUSTER_KEY, jobId)).processed_files;
    expect(completedOfA).toBeLessThan(10);
  });
});
