import { afterEach, describe, expect, it } from 'vitest';
import { requireRedis, startPrivateRedis, type PrivateRedis } from '@image2model/testing/redis';
import { CLUSTER_KEY, startCluster, type Cluster, type WorkerProcess } from '@image2model/testing/cluster';
import { auth, readEventStream, uploadBatch, waitFor, type JobStatusBody, type SseEvent } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';

const redisUp = await requireRedis();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function uploadPhotos(apiUrl: string, count: number): Promise<string> {
  // Large enough that a generation takes a while: a worker can be caught in the middle of one.
  const photo = await makePhoto({ width: 1024, height: 1024, format: 'jpeg' });
  const files = Array.from({ length: count }, (_, i) => ({ name: `photo-${i + 1}.jpg`, data: photo }));
  const res = await uploadBatch(`${apiUrl}/api/v1/upload/batch`, { key: CLUSTER_KEY, files });
  expect(res.status).toBe(200);
  return ((await res.json()) as { job_id: string }).job_id;
}

function finished(apiUrl: string, jobId: string, timeoutMs = 150_000): Promise<JobStatusBody> {
  return waitFor(
    async () => {
      const res = await fetch(`${apiUrl}/api/v1/status/${jobId}`, { headers: auth(CLUSTER_KEY) });
      if (res.status !== 200) return undefined; // e.g. 503 while Redis restarts
      const body = (await res.json()) as JobStatusBody;
      return body.status === 'processing' ? undefined : body;
    },
    { timeoutMs, what: `job ${jobId} to finish` },
  );
}

/** Which files of a job a worker started and did not finish, going by its own log. */
function inFlight(worker: WorkerProcess, jobId: string): Set<string> {
  const started = worker.logs('Generating model').filter((l) => l.job_id === jobId).map((l) => String(l.file_id));
  const ended = new Set(
    [...worker.logs('Model completed'), ...worker.logs('Model generation failed')].filter((l) => l.job_id === jobId).map((l) => String(l.file_id)),
  );
  return new Set(started.filter((file) => !ended.has(file)));
}

function expectEachFileCompletedOnce(events: SseEvent[], fileCount: number): void {
  const completed = events.filter((e) => e.data.type === 'completed').map((e) => String(e.data.file_id));
  expect(completed.sort()).toEqual(Array.from({ length: fileCount }, (_, i) => `file_${String(i + 1).padStart(3, '0')}`));
  expect(events.filter((e) => e.data.type === 'done')).toHaveLength(1);
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
}

describe.skipIf(!redisUp)('distributed mode when processes or Redis fail', () => {
  let cluster: Cluster | null = null;
  let privateRedis: PrivateRedis | null = null;
  afterEach(async () => {
    await cluster?.stop();
    cluster = null;
    await privateRedis?.destroy();
    privateRedis = null;
  });

  it('kill -9 of a worker mid-file: that file still completes once, and no other file is processed twice', { timeout: 300_000 }, async () => {
    cluster = await startCluster({ apis: 1, workers: 2 });
    const apiUrl = cluster.apis[0]?.url ?? '';
    const jobId = await uploadPhotos(apiUrl, 6);
    const victim = await waitFor(async () => cluster?.workers.find((w) => w.logs('Generating model').some((l) => l.job_id === jobId)), {
      timeoutMs: 60_000,
      what: 'a worker to start a file',
    });
    victim.child.kill('SIGKILL');
    await victim.exited;
    const interrupted = inFlight(victim, jobId);
    expect(interrupted.size).toBeGreaterThan(0); // it really died in the middle of a file

    const done = await finished(apiUrl, jobId);
    expect(done.files.map((f) => f.status)).toEqual(Array(6).fill('completed'));
    const { events } = await readEventStream(`${apiUrl}/api/v1/status/stream/${jobId}`, { headers: auth(CLUSTER_KEY) });
    expectEachFileCompletedOnce(events, 6);
    const generated = cluster.workerLogs('Generating model').filter((l) => l.job_id === jobId);
    for (const file of done.files) {
      const runs = generated.filter((l) => l.file_id === file.file_id).length;
      // Only a file the dead worker was generating may have run a second time (once more, elsewhere).
      if (interrupted.has(file.file_id)) expect(runs, file.file_id).toBeLessThanOrEqual(2);
      else expect(runs, file.file_id).toBe(1);
    }
    // The interrupted file was picked up again by the survivor, after the dead worker's lock expired.
    const survivor = cluster.workers.find((w) => w !== victim);
    const resumed = survivor?.logs('Generating model').filter((l) => l.job_id === jobId && interrupted.has(String(l.file_id))) ?? [];
    expect(resumed.length).toBeGreaterThan(0);
  });

  it('SIGTERM: a worker hands its running file back, an API process ends its streams (clients resume on another); both exit 0 in time', { timeout: 300_000 }, async () => {
    const graceMs = 300;
    cluster = await startCluster({ apis: 2, workers: 2, env: { SHUTDOWN_GRACE_MS: String(graceMs), WORKER_CONCURRENCY: '1' } });
    const [first, second] = cluster.apis;
    const jobId = await uploadPhotos(first?.url ?? '', 6);

    const received: SseEvent[] = [];
    const stream = readEventStream(`${second?.url ?? ''}/api/v1/status/stream/${jobId}`, {
      headers: auth(CLUSTER_KEY),
      stopAfterMs: 120_000,
      onEvent: (event) => received.push(event),
    });
    const stopping = await waitFor(async () => cluster?.workers.find((w) => w.logs('Generating model').some((l) => l.job_id === jobId)), {
      timeoutMs: 60_000,
      what: 'a worker to start a file',
    });
    let started = Date.now();
    stopping.child.kill('SIGTERM');
    expect(await stopping.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(graceMs + 5_000);

    await waitFor(async () => (received.length > 0 ? true : undefined), { timeoutMs: 60_000, what: 'a first event' });
    started = Date.now();
    second?.child.kill('SIGTERM');
    const ended = await stream;
    expect(ended.closedByServer).toBe(true); // the stream ended cleanly, before the job did
    expect(ended.events.some((e) => e.data.type === 'done')).toBe(false);
    expect(await second?.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(graceMs + 5_000);

    // The client reconnects to the other API process and resumes after the last id it saw.
    const lastId = ended.events.at(-1)?.id ?? '';
    const rest = await readEventStream(`${first?.url ?? ''}/api/v1/status/stream/${jobId}`, {
      headers: { ...auth(CLUSTER_KEY), 'Last-Event-ID': lastId },
      stopAfterMs: 150_000,
    });
    expect(rest.closedByServer).toBe(true);
    expectEachFileCompletedOnce([...ended.events, ...rest.events], 6);

    const done = await finished(first?.url ?? '', jobId);
    expect(done.status).toBe('completed');
    // The file the stopped worker was generating went back to the queue (grace over) and was done
    // by the other worker; nothing else ran twice.
    expect(stopping.logs('Grace period over: handing running files back to the queue')).toHaveLength(1);
    const unfinished = inFlight(stopping, jobId);
    expect(unfinished.size).toBe(1);
    const generated = cluster.workerLogs('Generating model').filter((l) => l.job_id === jobId);
    for (const file of done.files) {
      const runs = generated.filter((l) => l.file_id === file.file_id).length;
      if (unfinished.has(file.file_id)) expect(runs, file.file_id).toBeLessThanOrEqual(2);
      else expect(runs, file.file_id).toBe(1);
    }
  });

  it('Redis restarted during a batch (private redis-server with AOF): 503s while it is down, then the batch completes', { timeout: 300_000 }, async () => {
    privateRedis = await startPrivateRedis();
    cluster = await startCluster({ apis: 1, workers: 1, redisUrl: privateRedis.url });
    const apiUrl = cluster.apis[0]?.url ?? '';
    const jobId = await uploadPhotos(apiUrl, 8);
    await waitFor(
      async () => {
        const body = (await (await fetch(`${apiUrl}/api/v1/status/${jobId}`, { headers: auth(CLUSTER_KEY) })).json()) as JobStatusBody;
        return body.processed_files >= 1 ? body : undefined;
      },
      { timeoutMs: 120_000, what: 'a first file to complete' },
    );

    // A client watching through the outage: its stream stays open and carries on afterwards.
    const watching = readEventStream(`${apiUrl}/api/v1/status/stream/${jobId}`, { headers: auth(CLUSTER_KEY), stopAfterMs: 200_000 });
    await sleep(200);
    await privateRedis.stop();
    const ready = await waitFor(
      async () => {
        const res = await fetch(`${apiUrl}/api/v1/health/ready`);
        return res.status === 503 ? res : undefined;
      },
      { timeoutMs: 10_000, what: 'readiness to report Redis down' },
    );
    expect(await ready.json()).toEqual({ status: 'not_ready', checks: { storage: 'writable', storage_backend: 'fs', redis: 'disconnected', fal_api: 'not_configured' } });
    const during = await fetch(`${apiUrl}/api/v1/status/${jobId}`, { headers: auth(CLUSTER_KEY) });
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({ detail: { code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/unavailable.*try again/i), details: {} } });
    const trpc = await fetch(`${apiUrl}/trpc/status.get?input=${encodeURIComponent(JSON.stringify({ json: { job_id: jobId } }))}`, { headers: auth(CLUSTER_KEY) });
    expect(trpc.status).toBe(503);
    expect((await fetch(`${apiUrl}/api/v1/health`)).status).toBe(200); // alive, just not ready

    await sleep(1000);
    await privateRedis.start();
    await waitFor(async () => ((await fetch(`${apiUrl}/api/v1/health/ready`)).status === 200 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'readiness to recover',
    });
    const done = await finished(apiUrl, jobId);
    expect(done.files.map((f) => f.status)).toEqual(Array(8).fill('completed'));
    const watched = await watching;
    expect(watched.closedByServer).toBe(true);
    expectEachFileCompletedOnce(watched.events, 8);
    const { events } = await readEventStream(`${apiUrl}/api/v1/status/stream/${jobId}`, { headers: auth(CLUSTER_KEY) });
    expectEachFileCompletedOnce(events, 8);

    // Nothing needs a restart: new work flows through the same processes.
    const next = await uploadPhotos(apiUrl, 1);
    expect((await finished(apiUrl, next)).status).toBe('completed');
  });
});
