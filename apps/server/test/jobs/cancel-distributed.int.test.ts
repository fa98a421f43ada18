import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFalEmulator, type FalEmulator } from '@image2model/fal-emulator';
import { requireRedis } from '@image2model/testing/redis';
import { CLUSTER_KEY, startCluster, type Cluster } from '@image2model/testing/cluster';
import { auth, readEventStream, uploadBatch, waitFor, type JobStatusBody } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';

const redisUp = await requireRedis();

/**
 * Two API processes and a worker process (the built dist, real HTTP, real Redis) generating with
 * FAL (the real @fal-ai/client against the emulator): a cancel sent to one API process stops the
 * file the worker behind the other one runs, cancels its FAL request, and stores nothing.
 */
describe.skipIf(!redisUp)('cancel across processes, with FAL (distributed mode)', () => {
  let fal: FalEmulator;
  let cluster: Cluster;
  beforeAll(async () => {
    // Long enough that the file is still running when it is cancelled, even on a loaded host (at
    // 4 s the request once finished before the cancel reached it, and nothing was cancelled at
    // FAL); the scenario lets FAL finish the request anyway, so a result does arrive after the cancel.
    fal = await startFalEmulator({ queueMs: 50, processingMs: 10_000, scenario: 'completes-despite-cancel' });
    cluster = await startCluster({ apis: 2, workers: 1, env: { FAL_KEY: 'test-fal-key', FAL_BASE_URL: fal.url, WORKER_CONCURRENCY: '2' } });
  });
  afterAll(async () => {
    await cluster?.stop();
    await fal?.close();
  });

  const statusAt = async (apiUrl: string, jobId: string) => {
    const res = await fetch(`${apiUrl}/api/v1/status/${jobId}`, { headers: auth(CLUSTER_KEY) });
    expect(res.status).toBe(200);
    return (await res.json()) as JobStatusBody;
  };

  it('a cancel on API B stops the file running on the worker behind API A within 2 s; FAL records the cancel; no model is stored', async () => {
    const [a, b] = cluster.apis;
    if (!a || !b) throw new Error('two API processes expected');
    const photo = await makePhoto({ width: 96, height: 96, format: 'jpeg' });
    const uploaded = await uploadBatch(`${a.url}/api/v1/upload/batch`, { key: CLUSTER_KEY, files: [{ name: 'a.jpg', data: photo }, { name: 'b.jpg', data: photo }] });
    expect(uploaded.status).toBe(200);
    const { job_id } = (await uploaded.json()) as { job_id: string };
    // Both files submitted to FAL and running there.
    const running = await waitFor(
      async () => {
        const body = await statusAt(a.url, job_id);
        return body.files.every((f) => f.status === 'processing' && f.model_task_id !== null) ? body : undefined;
      },
      { what: 'both files running at FAL' },
    );
    const requestId = running.files[1]?.model_task_id;
    const stream = readEventStream(`${a.url}/api/v1/status/stream/${job_id}`, { headers: auth(CLUSTER_KEY), stopAfterMs: 30_000 });

    const sent = Date.now();
    const res = await fetch(`${b.url}/api/v1/jobs/${job_id}/cancel`, {
      method: 'POST',
      headers: { ...auth(CLUSTER_KEY), 'Content-Type': 'application/json' },
      body: JSON.stringify({ file_ids: ['file_002'] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ job_id, status: 'processing', cancelled_file_ids: ['file_002'] });
    // The worker stopped following the request within 2 s of the cancel, and let the file go once the cancel was recorded.
    const stopped = await waitFor(
      async () => cluster.workerLogs('Generation stopped by a cancel').find((line) => line.file_id === 'file_002'),
      { what: 'the worker to stop file_002', timeoutMs: 5000 },
    );
    expect(Number(stopped.time) - sent).toBeLessThan(2000);
    await waitFor(async () => cluster.workerLogs('Dropping the result of a stale task').find((line) => line.file_id === 'file_002'), { what: 'the worker to drop file_002', timeoutMs: 5000 });
    expect(fal.cancels.map((c) => [c.request_id, c.found, c.answer])).toEqual([[requestId, 'IN_PROGRESS', 202]]);

    // file_001 completes; file_002's FAL request completes too (the scenario), and is discarded.
    const done = await waitFor(async () => {
      const body = await statusAt(b.url, job_id);
      return body.status === 'processing' ? undefined : body;
    }, { what: 'the job to finish', timeoutMs: 30_000 });
    expect(done).toMatchObject({ status: 'partial', processed_files: 1, cancelled_files: 1 });
    expect(done.files.map((f) => f.status)).toEqual(['completed', 'cancelled']);
    await new Promise((resolve) => setTimeout(resolve, 5000 - (Date.now() - sent)));
    expect((await statusAt(a.url, job_id)).files[1]?.status).toBe('cancelled');
    await expect(access(join(cluster.dataDir, 'jobs', job_id, 'models', 'file_002.glb'))).rejects.toThrow();

    const events = (await stream).events.map((e) => e.data);
    const billing = events.find((e) => e.type === 'log' && e.file_id === 'file_002' && /may still be billed/i.test(String(e.message)));
    expect(billing).toBeDefined();
    expect(events.filter((e) => e.file_id === 'file_002' && (e.type === 'cancelled' || e.type === 'completed')).map((e) => e.type)).toEqual(['cancelled']);
    expect(events.indexOf(billing as Record<string, unknown>)).toBeLessThan(events.findIndex((e) => e.type === 'cancelled'));
    expect(events.at(-1)).toEqual({ type: 'done', job_id, status: 'partial' });
  });
});
