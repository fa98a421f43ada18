import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startFalEmulator, type FalEmulator } from '@image2model/fal-emulator';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { CLUSTER_KEY, startCluster, type Cluster } from '@image2model/testing/cluster';
import { auth, readEventStream, uploadBatch, waitFor, type JobStatusBody } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';
import { connectRedis, requireRedis } from '@image2model/testing/redis';

const redisUp = await requireRedis();
const KEY = 'cancel-kill9-key-0001';
const FILES = 5;
/** file_001 and file_002 complete, file_003 runs when the cancel comes, file_004 and file_005 wait. */
const COMPLETED = ['file_001', 'file_002'];
const CANCELLED = ['file_003', 'file_004', 'file_005'];
/**
 * Long enough that file_003's FAL request is still running after the restart, when the cancel is
 * sent again; its scenario lets it finish anyway, so FAL's result does come after the cancel.
 */
const PROCESSING_MS = 4000;

interface Deployment {
  url: string;
  dataDir: string;
  key: string;
}

async function statusOf(at: Deployment, jobId: string): Promise<JobStatusBody> {
  const res = await fetch(`${at.url}/api/v1/status/${jobId}`, { headers: auth(at.key) });
  expect(res.status).toBe(200);
  return (await res.json()) as JobStatusBody;
}

function cancel(at: Deployment, jobId: string): Promise<Response> {
  return fetch(`${at.url}/api/v1/jobs/${jobId}/cancel`, { method: 'POST', headers: { ...auth(at.key), 'Content-Type': 'application/json' }, body: '{}' });
}

async function uploadFiles(at: Deployment): Promise<string> {
  const photo = await makePhoto({ width: 96, height: 96, format: 'jpeg' });
  const res = await uploadBatch(`${at.url}/api/v1/upload/batch`, { key: at.key, files: Array.from({ length: FILES }, (_, i) => ({ name: `photo-${i + 1}.jpg`, data: photo })) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { job_id: string }).job_id;
}

/** Waits for two files completed and file_003 running at FAL; returns the completed models' digests and file_003's request id. */
async function midBatch(at: Deployment, jobId: string): Promise<{ digests: Map<string, string>; requestId: string }> {
  const body = await waitFor(
    async () => {
      const now = await statusOf(at, jobId);
      const [a, b, c] = now.files;
      return a?.status === 'completed' && b?.status === 'completed' && c?.status === 'processing' && c.model_task_id !== null ? now : undefined;
    },
    { what: 'two files completed and the third running at FAL', timeoutMs: 30_000 },
  );
  expect(body.files.slice(3).map((f) => f.status)).toEqual(['pending', 'pending']);
  return { digests: await modelDigests(at.dataDir, jobId), requestId: String(body.files[2]?.model_task_id) };
}

async function modelDigests(dataDir: string, jobId: string): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const fileId of COMPLETED) digests.set(fileId, createHash('sha256').update(await readFile(join(dataDir, 'jobs', jobId, 'models', `${fileId}.glb`))).digest('hex'));
  return digests;
}

/** Sends the cancel with FAL holding its answer, and resolves once the server waits on FAL: the moment to kill. */
async function cancelHeldAtFal(at: Deployment, fal: FalEmulator, jobId: string, requestId: string): Promise<{ answer: Promise<unknown> }> {
  const sent = cancel(at, jobId).then(
    (res) => res.status,
    (error: unknown) => error,
  );
  await waitFor(async () => (fal.requests.some((r) => r.method === 'PUT' && r.path.endsWith(`/requests/${requestId}/cancel`)) ? true : undefined), {
    what: "the server's cancel of file_003 at FAL",
    timeoutMs: 10_000,
  });
  return { answer: sent };
}

/**
 * After the restart and the repeated cancel: the completed files and their models are as they
 * were, every other file ends cancelled with no model even though FAL finished file_003's request,
 * the job is partial, the log has one terminal event per file and one `done`, and no temp file is left.
 */
async function expectCancelledCleanly(at: Deployment, fal: FalEmulator, jobId: string, before: { digests: Map<string, string>; requestId: string }): Promise<void> {
  // FAL finishes file_003's request regardless of the cancel (its scenario), past the restart.
  expect((await fal.modelOf(before.requestId))?.subarray(0, 4).toString('latin1')).toBe('glTF');
  await new Promise((resolve) => setTimeout(resolve, 1000)); // time for a result to land, were it followed
  const body = await statusOf(at, jobId);
  expect(body).toMatchObject({ status: 'partial', processed_files: COMPLETED.length, failed_files: 0, cancelled_files: CANCELLED.length, progress: 100 });
  expect(body.files.map((f) => [f.file_id, f.status, f.model_url === null])).toEqual([
    ...COMPLETED.map((id) => [id, 'completed', false]),
    ...CANCELLED.map((id) => [id, 'cancelled', true]),
  ]);
  expect(await modelDigests(at.dataDir, jobId)).toEqual(before.digests);
  const stored = await readdir(join(at.dataDir, 'jobs', jobId), { recursive: true });
  expect(stored.filter((name) => name.startsWith('models/') || name.startsWith('previews/')).filter((name) => CANCELLED.some((id) => name.includes(id)))).toEqual([]);
  expect(stored.filter((name) => name.endsWith('.tmp'))).toEqual([]);
  for (const fileId of CANCELLED) expect((await fetch(`${at.url}/api/v1/download/${jobId}/${fileId}/model`, { headers: auth(at.key) })).status).toBe(404);

  const { events, closedByServer } = await readEventStream(`${at.url}/api/v1/status/stream/${jobId}`, { headers: auth(at.key), stopAfterMs: 10_000 });
  expect(closedByServer).toBe(true);
  const terminal = events.map((e) => e.data).filter((e) => e.type === 'completed' || e.type === 'failed' || e.type === 'cancelled');
  expect(terminal.map((e) => [e.file_id, e.type]).sort()).toEqual([...COMPLETED.map((id) => [id, 'completed']), ...CANCELLED.map((id) => [id, 'cancelled'])]);
  expect(events.filter((e) => e.data.type === 'done').map((e) => e.data)).toEqual([{ type: 'done', job_id: jobId, status: 'partial' }]);
  expect(events.at(-1)?.data.type).toBe('done');
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
}

/**
 * kill -9 while a cancel waits on FAL (it has told the worker to stop and asked FAL to cancel
 * file_003's request; nothing is marked yet): the cancel was never answered, so after the restart
 * it is sent again, and then it is as if no kill had happened.
 */
describe('a kill -9 during a cancel (embedded mode, FAL)', () => {
  let fal: FalEmulator | null = null;
  let dataDir = '';
  const servers: ChildServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await fal?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('loses nothing that should stay and leaves nothing that should go', { timeout: 60_000 }, async () => {
    fal = await startFalEmulator({ queueMs: 50, processingMs: PROCESSING_MS });
    fal.queueScenarios('success', 'success', 'completes-despite-cancel');
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-cancel-kill9-'));
    const env = { DATA_DIR: dataDir, API_KEYS: KEY, FAL_KEY: 'fal-test-key', FAL_BASE_URL: fal.url, WORKER_CONCURRENCY: '1', RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_PER_HOUR: '100000' };
    const first = await startChildServer(env);
    servers.push(first);
    const one: Deployment = { url: first.url, dataDir, key: KEY };
    const jobId = await uploadFiles(one);
    const before = await midBatch(one, jobId);

    const release = fal.holdCancels();
    const { answer } = await cancelHeldAtFal(one, fal, jobId, before.requestId);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await answer).toBeInstanceOf(Error); // never answered
    release(); // FAL gets the lost cancel late: file_003's request runs on regardless

    const second = await startChildServer(env);
    servers.push(second);
    const two: Deployment = { url: second.url, dataDir, key: KEY };
    // Nothing was marked: the unfinished files are queued again, none left without a worker.
    const left = await statusOf(two, jobId);
    expect(left.status).toBe('processing');
    const unfinished = left.files.filter((f) => f.status === 'pending' || f.status === 'processing').map((f) => f.file_id);
    expect(unfinished).toEqual(CANCELLED);
    expect(second.output.join('\n')).toContain(`"resumed":${CANCELLED.length}`);

    const again = await cancel(two, jobId);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ job_id: jobId, status: 'partial', cancelled_file_ids: CANCELLED });
    await expectCancelledCleanly(two, fal, jobId, before);
  });
});

/**
 * The same in distributed mode: the API process handling the cancel is killed while FAL holds its
 * cancel of file_003, which the worker (alive) has already stopped following.
 */
describe.skipIf(!redisUp)('a kill -9 of the API during a cancel (distributed mode, FAL)', () => {
  let fal: FalEmulator | null = null;
  let cluster: Cluster | null = null;
  let redis: Redis | null = null;
  afterEach(async () => {
    await cluster?.stop();
    await fal?.close();
    await redis?.quit();
    cluster = null;
    fal = null;
    redis = null;
  });

  it('loses nothing that should stay, leaves nothing that should go, and leaves no queue entry behind', { timeout: 60_000 }, async () => {
    fal = await startFalEmulator({ queueMs: 50, processingMs: PROCESSING_MS });
    fal.queueScenarios('success', 'success', 'completes-despite-cancel');
    cluster = await startCluster({ apis: 1, workers: 1, env: { FAL_KEY: 'fal-test-key', FAL_BASE_URL: fal.url, WORKER_CONCURRENCY: '1' } });
    redis = await connectRedis(cluster.redisUrl);
    const [api] = cluster.apis;
    if (!api) throw new Error('no API process');
    const one: Deployment = { url: api.url, dataDir: cluster.dataDir, key: CLUSTER_KEY };
    const jobId = await uploadFiles(one);
    const before = await midBatch(one, jobId);
    const queueEntries = async (fileId: string) => (await redis?.keys(`${cluster?.prefix}*${jobId}.${fileId}.g*`))?.filter((k) => !k.endsWith(':lock')) ?? [];

    const release = fal.holdCancels();
    const { answer } = await cancelHeldAtFal(one, fal, jobId, before.requestId);
    api.child.kill('SIGKILL');
    await api.exited;
    expect(await answer).toBeInstanceOf(Error);
    release();

    const api2 = await cluster.addApi();
    const two: Deployment = { url: api2.url, dataDir: cluster.dataDir, key: CLUSTER_KEY };
    const left = await statusOf(two, jobId);
    expect(left.status).toBe('processing');
    // Every unfinished file is still queued or running: none is left without a worker.
    for (const file of left.files.filter((f) => f.status === 'pending' || f.status === 'processing')) {
      expect(await queueEntries(file.file_id), file.file_id).not.toEqual([]);
    }

    const again = await cancel(two, jobId);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ job_id: jobId, status: 'partial', cancelled_file_ids: CANCELLED });
    await expectCancelledCleanly(two, fal, jobId, before);
    for (const fileId of CANCELLED) expect(await queueEntries(fileId), fileId).toEqual([]);
  });
});
