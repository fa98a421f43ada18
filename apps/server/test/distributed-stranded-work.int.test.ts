import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startFalEmulator, type FalEmulator } from '@image2model/fal-emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRedis, requireRedis } from '@image2model/testing/redis';
import { CLUSTER_KEY, startCluster, type Cluster } from '@image2model/testing/cluster';
import { auth, readEventStream, uploadBatch, waitFor, type JobStatusBody } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';
import { startRedisRelay, type RedisRelay } from '@image2model/testing/redis-relay';

const redisUp = await requireRedis();

async function status(apiUrl: string, jobId: string): Promise<JobStatusBody> {
  const res = await fetch(`${apiUrl}/api/v1/status/${jobId}`, { headers: auth(CLUSTER_KEY) });
  expect(res.status).toBe(200);
  return (await res.json()) as JobStatusBody;
}

function finished(apiUrl: string, jobId: string, timeoutMs = 60_000): Promise<JobStatusBody> {
  return waitFor(
    async () => {
      const body = await status(apiUrl, jobId);
      return body.status === 'processing' ? undefined : body;
    },
    { timeoutMs, what: `job ${jobId} to finish` },
  );
}

async function upload(apiUrl: string, count: number) {
  const photo = await makePhoto({ width: 128, height: 128, format: 'jpeg' });
  return uploadBatch(`${apiUrl}/api/v1/upload/batch`, { key: CLUSTER_KEY, files: Array.from({ length: count }, (_, i) => ({ name: `photo-${i + 1}.jpg`, data: photo })) });
}

describe.skipIf(!redisUp)('no stranded work when a Redis step fails (distributed mode)', () => {
  let cluster: Cluster | null = null;
  let fal: FalEmulator | null = null;
  let redis: Redis | null = null;
  let relay: RedisRelay | null = null;
  afterEach(async () => {
    await cluster?.stop();
    await relay?.close();
    relay = null;
    await fal?.close();
    await redis?.quit();
    cluster = null;
    fal = null;
    redis = null;
  });

  it('an upload whose queueing fails leaves no job behind; a generate-single whose queueing fails fails the file instead of leaving it pending behind 409s', { timeout: 120_000 }, async () => {
    cluster = await startCluster({ apis: 1, workers: 1 });
    const apiUrl = cluster.apis[0]?.url ?? '';
    redis = await connectRedis(cluster.redisUrl);
    // BullMQ's add script reads the queue's meta hash: a key of the wrong type there makes every
    // add fail with an error reply, after our own store has accepted the job or the restart.
    const meta = `${cluster.prefix}bull:files:meta`;
    const breakQueue = async () => {
      await redis?.rename(meta, `${meta}:saved`);
      await redis?.set(meta, 'not a hash');
    };
    const repairQueue = async () => {
      await redis?.rename(`${meta}:saved`, meta);
    };

    await breakQueue();
    const refused = await upload(apiUrl, 2);
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(await refused.json()).toEqual({ detail: { code: expect.any(String), message: expect.any(String), details: expect.any(Object) } });
    expect(await redis.smembers(`${cluster.prefix}jobs`)).toEqual([]);
    expect(await redis.keys(`${cluster.prefix}job:*`)).toEqual([]);
    expect(await readdir(join(cluster.dataDir, 'jobs')).catch(() => [])).toEqual([]);
    await repairQueue();

    const accepted = await upload(apiUrl, 1);
    expect(accepted.status).toBe(200);
    const { job_id: jobId } = (await accepted.json()) as { job_id: string };
    expect((await finished(apiUrl, jobId)).status).toBe('completed');
    const generate = () =>
      fetch(`${apiUrl}/api/v1/models/generate-single`, {
        method: 'POST',
        headers: { ...auth(CLUSTER_KEY), 'Content-Type': 'application/json' },
        body: JSON.stringify({ job_id: jobId, file_id: 'file_001' }),
      });
    await breakQueue();
    const failed = await generate();
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const after = await status(apiUrl, jobId);
    expect(after.status).toBe('failed');
    expect(after.files[0]).toMatchObject({ status: 'failed', error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/generate it again/) } });
    const { events } = await readEventStream(`${apiUrl}/api/v1/status/stream/${jobId}`, { headers: auth(CLUSTER_KEY), stopAfterMs: 5_000 });
    expect(events.slice(-2).map((e) => e.data.type)).toEqual(['failed', 'done']);
    await repairQueue();

    // Retrying works at once (no 409), and the file completes.
    const retried = await generate();
    expect(retried.status).toBe(200);
    expect((await finished(apiUrl, jobId)).files[0]?.status).toBe('completed');
  });

  it('Redis dropping the connection at the queueing step (a relay): the upload answers 503 within seconds and leaves no job; the generate-single answers 503 and the file does not stay pending', { timeout: 120_000 }, async () => {
    cluster = await startCluster({ apis: 1, workers: 0 });
    relay = await startRedisRelay(cluster.redisUrl);
    const api = await cluster.addApi({ REDIS_URL: relay.url });
    redis = await connectRedis(cluster.redisUrl);
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    // Every connection that carries the BullMQ add of the job's first file is dropped: ioredis
    // resends it after each reconnect, so without a time limit the request never got an answer.
    relay.dropWhen('.file_001.g1');
    const started = Date.now();
    const answer = upload(api.url, 2);
    await sleep(6_000); // past the API's 5 s command limit: the add has failed, the job is being removed
    relay.stopDropping();
    const refused = await answer;
    expect(refused.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(relay.dropped).toBeGreaterThan(0);
    expect(await redis.smembers(`${cluster.prefix}jobs`)).toEqual([]);
    expect(await redis.keys(`${cluster.prefix}job:*`)).toEqual([]);
    expect(await readdir(join(cluster.dataDir, 'jobs')).catch(() => [])).toEqual([]);

    // generate-single on a finished job, the connection dropped at its new generation's add.
    await cluster.addWorker();
    const accepted = await upload(api.url, 1);
    const { job_id: jobId } = (await accepted.json()) as { job_id: string };
    expect((await finished(api.url, jobId)).status).toBe('completed');
    const generate = () =>
      fetch(`${api.url}/api/v1/models/generate-single`, {
        method: 'POST',
        headers: { ...auth(CLUSTER_KEY), 'Content-Type': 'application/json' },
        body: JSON.stringify({ job_id: jobId, file_id: 'file_001' }),
      });
    relay.dropWhen('.file_001.g2');
    const dropped = generate();
    await sleep(6_000);
    relay.stopDropping();
    expect((await dropped).status).toBe(503);
    // The add may still have reached Redis when the connection came back (ioredis resends it):
    // then the file runs; otherwise it failed. Either way it ends, and a retry is not a 409.
    const ended = await finished(api.url, jobId);
    expect(ended.files[0]?.status).not.toBe('pending');
    if (ended.files[0]?.status === 'failed') {
      expect(ended.files[0]).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
      expect((await generate()).status).toBe(200);
      expect((await finished(api.url, jobId)).files[0]?.status).toBe('completed');
    }
  });

  it('an error that escapes processing after the pick-up fails the file with its event and done, instead of leaving it processing with no worker on it', { timeout: 120_000 }, async () => {
    // The reconciler would queue such a file again after its interval: far off here, so only the queue's own hand-over can end it.
    cluster = await startCluster({ apis: 1, workers: 1, env: { WORKER_CONCURRENCY: '1', RECONCILE_INTERVAL_MS: '600000' } });
    const apiUrl = cluster.apis[0]?.url ?? '';
    const [worker] = cluster.workers;
    if (!worker) throw new Error('no worker');
    redis = await connectRedis(cluster.redisUrl);
    const photo = await makePhoto({ width: 1536, height: 1536, format: 'jpeg' });
    const res = await uploadBatch(`${apiUrl}/api/v1/upload/batch`, { key: CLUSTER_KEY, files: [{ name: 'big.jpg', data: photo }] });
    const { job_id: jobId } = (await res.json()) as { job_id: string };
    const fileKey = `${cluster.prefix}job:${jobId}:file:file_001`;

    // Picked up and generating: the file's record now makes every store script fail (an error
    // reply, not an outage), so recording the model, then the failure, both throw.
    await waitFor(async () => (worker.logs('Generating model').some((l) => l.job_id === jobId) ? true : undefined), { timeoutMs: 60_000, what: 'the worker to pick the file up' });
    await redis.hset(fileKey, 'status', 'not json');
    await waitFor(async () => (worker.logs('Model generation failed').some((l) => l.job_id === jobId) ? true : undefined), { timeoutMs: 60_000, what: 'the outcome to fail to record' });
    await redis.hset(fileKey, 'status', '"processing"');

    const done = await finished(apiUrl, jobId, 30_000);
    expect(done.status).toBe('failed');
    expect(done.files[0]).toMatchObject({ status: 'failed', error: { code: 'PROCESSING_ERROR', message: 'Internal processing error' } });
    const { events } = await readEventStream(`${apiUrl}/api/v1/status/stream/${jobId}`, { headers: auth(CLUSTER_KEY), stopAfterMs: 5_000 });
    expect(events.slice(-2).map((e) => e.data.type)).toEqual(['failed', 'done']);
    expect(worker.logs('Model generation given up by the queue').filter((l) => l.job_id === jobId)).toHaveLength(1);
  });

  it('a file left processing with a FAL request and no queue entry is queued again by a running worker, which resumes polling that request (no second submit)', { timeout: 180_000 }, async () => {
    fal = await startFalEmulator({ queueMs: 100, processingMs: 4_000 });
    cluster = await startCluster({
      apis: 1,
      workers: 2,
      env: { FAL_KEY: 'test-fal-key', FAL_BASE_URL: fal.url, WORKER_CONCURRENCY: '1', RECONCILE_INTERVAL_MS: '1000' },
    });
    const apiUrl = cluster.apis[0]?.url ?? '';
    redis = await connectRedis(cluster.redisUrl);
    const res = await upload(apiUrl, 2);
    expect(res.status).toBe(200);
    const { job_id: jobId } = (await res.json()) as { job_id: string };
    // Both files submitted to FAL, one per worker.
    const submitted = await waitFor(
      async () => {
        const body = await status(apiUrl, jobId);
        return body.files.every((f) => f.model_task_id !== null && f.status === 'processing') ? body : undefined;
      },
      { timeoutMs: 60_000, what: 'both files to be submitted to FAL' },
    );
    const requestId = submitted.files[0]?.model_task_id;
    const victim = cluster.workers.find((w) => w.logs('Generating model').some((l) => l.job_id === jobId && l.file_id === 'file_001'));
    if (!victim || !requestId) throw new Error('no worker is generating file_001');

    // A crash between BullMQ's state and ours: the worker dies and the file's queue entry is lost.
    victim.child.kill('SIGKILL');
    await victim.exited;
    const bull = `${cluster.prefix}bull:files`;
    const entry = `${jobId}.file_001.g1`;
    await redis.multi().del(`${bull}:${entry}`, `${bull}:${entry}:lock`).lrem(`${bull}:active`, 0, entry).srem(`${bull}:stalled`, entry).exec();

    const done = await finished(apiUrl, jobId, 90_000);
    expect(done.files.map((f) => f.status)).toEqual(['completed', 'completed']);
    expect(done.files[0]?.model_task_id).toBe(requestId);
    // One submit per file: the re-queued file followed its existing request.
    expect(fal.acceptedSubmits()).toHaveLength(2);
    const requeued = cluster.workerLogs('Queued a file that had no queue entry').filter((l) => l.job_id === jobId);
    expect(requeued).toEqual([expect.objectContaining({ file_id: 'file_001', generation: 1, status: 'processing', model_task_id: requestId })]);
  });
});
