import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTRPCClient, httpSubscriptionLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import superjson from 'superjson';
import type { AppRouter } from '@image2model/api';
import { requireRedis } from '@image2model/testing/redis';
import { CLUSTER_ADMIN_KEY, CLUSTER_KEY, startCluster, startWorkerProcess, type Cluster } from '@image2model/testing/cluster';
import { auth, readEventStream, uploadBatch, waitFor, type JobStatusBody } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';
import { METRIC_NAMES } from '../src/metrics/metrics.js';

const redisUp = await requireRedis();

/** Stream ids (`<ms>-<seq>`) as a sortable pair. */
function streamId(id: string | null): [bigint, bigint] {
  const [ms = '0', seq = '0'] = (id ?? '0-0').split('-');
  return [BigInt(ms), BigInt(seq)];
}
function isIncreasing(ids: (string | null)[]): boolean {
  return ids.every((id, i) => {
    if (i === 0) return true;
    const [a, b] = [streamId(ids[i - 1] ?? null), streamId(id)];
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  });
}

/** Follows a job through the tRPC subscription (SSE on /trpc) until `done`. */
function followOverTrpc(baseUrl: string, jobId: string): Promise<unknown[]> {
  const headers = auth(CLUSTER_KEY);
  const client = createTRPCClient<AppRouter>({
    links: [
      httpSubscriptionLink({
        url: `${baseUrl}/trpc`,
        transformer: superjson,
        EventSource,
        eventSourceOptions: () => ({ fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers } }) }),
      }),
    ],
  });
  return new Promise((resolve, reject) => {
    const events: unknown[] = [];
    const subscription = client.status.onEvents.subscribe(
      { job_id: jobId },
      {
        onData: (event) => {
          events.push(event.data);
          if (event.data.type === 'done') {
            subscription.unsubscribe();
            resolve(events);
          }
        },
        onError: reject,
      },
    );
  });
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe.skipIf(!redisUp)('distributed mode: two API processes and two worker processes on loopback', () => {
  let cluster: Cluster;
  let jobId = '';

  beforeAll(async () => {
    cluster = await startCluster({ apis: 2, workers: 2 });
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const api = (index: number, path: string) => `${cluster.apis[index]?.url ?? ''}/api/v1${path}`;

  it('completes a batch of 25 uploaded to one API process, streamed live from the other', { timeout: 240_000 }, async () => {
    const photo = await makePhoto();
    const files = Array.from({ length: 25 }, (_, i) => ({ name: `photo-${i + 1}.png`, data: photo }));
    const upload = await uploadBatch(api(0, '/upload/batch'), { key: CLUSTER_KEY, files });
    expect(upload.status).toBe(200);
    ({ job_id: jobId } = (await upload.json()) as { job_id: string });

    const arrivals: number[] = [];
    const streaming = readEventStream(api(1, `/status/stream/${jobId}`), {
      headers: auth(CLUSTER_KEY),
      stopAfterMs: 200_000,
      onEvent: () => arrivals.push(Date.now()),
    });
    const overTrpc = followOverTrpc(cluster.apis[0]?.url ?? '', jobId); // the other transport, on the other process
    const early = (await (await fetch(api(1, `/status/${jobId}`), { headers: auth(CLUSTER_KEY) })).json()) as JobStatusBody;
    expect(early.status).toBe('processing'); // the other process already knows the job, still running
    const { res, events, closedByServer } = await streaming;
    expect(res.status).toBe(200);
    expect(closedByServer).toBe(true);

    // Live: events came over the whole run, not replayed at the end, in id order, ending with done.
    expect(events.at(-1)?.data).toMatchObject({ type: 'done', status: 'completed' });
    expect(events.filter((e) => e.data.type === 'done')).toHaveLength(1);
    expect(isIncreasing(events.map((e) => e.id))).toBe(true);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThan(500);
    const completed = countBy(events.filter((e) => e.data.type === 'completed'), (e) => String(e.data.file_id));
    expect(completed.size).toBe(25);
    expect([...completed.values()].every((n) => n === 1)).toBe(true);
    // Both transports, both processes: the same events (model_url carries each process's own origin).
    const withoutOrigin = (event: unknown) => JSON.parse(JSON.stringify(event).replace(/http:\/\/127\.0\.0\.1:\d+/g, '')) as unknown;
    expect((await overTrpc).map(withoutOrigin)).toEqual(events.map((e) => withoutOrigin(e.data)));

    const status = (await (await fetch(api(1, `/status/${jobId}`), { headers: auth(CLUSTER_KEY) })).json()) as JobStatusBody;
    expect(status).toMatchObject({ status: 'completed', total_files: 25, processed_files: 25, failed_files: 0, progress: 100 });

    // Every file generated exactly once, and both workers took a share.
    const generated = cluster.workerLogs('Generating model').filter((l) => l.job_id === jobId);
    expect(generated).toHaveLength(25);
    expect(new Set(generated.map((l) => l.file_id)).size).toBe(25);
    for (const worker of cluster.workers) expect(worker.logs('Generating model').filter((l) => l.job_id === jobId).length).toBeGreaterThan(0);

    // The models are on the shared volume: either API process serves them.
    for (const index of [0, 1]) {
      const model = await fetch(api(index, `/download/${jobId}/file_025/model`), { headers: auth(CLUSTER_KEY) });
      expect(model.status).toBe(200);
      expect(Buffer.from(await model.arrayBuffer()).subarray(0, 4).toString()).toBe('glTF');
    }
  });

  it('answers GET /logs on any API process with the lines of every process', async () => {
    for (const index of [0, 1]) {
      const read = async () => {
        const res = await fetch(api(index, '/logs?lines=10000'), { headers: auth(CLUSTER_ADMIN_KEY) });
        expect(res.status).toBe(200);
        return ((await res.json()) as { logs: { message: string; level: string }[] }).logs.map((l) => l.message);
      };
      // Each process flushes its lines to Redis in small batches: the workers' last lines may trail the stream's done.
      await expect.poll(async () => (await read()).filter((m) => m === 'Model completed').length, { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(25);
      const messages = await read();
      expect(messages).toContain('Job created'); // API process 0
      expect(messages.filter((m) => m.startsWith('Image2Model worker ready'))).toHaveLength(2); // both workers
      expect(messages.filter((m) => m === 'Model completed').length).toBeGreaterThanOrEqual(25);
      expect(messages.filter((m) => m.startsWith('Image2Model listening'))).toHaveLength(2); // both API processes
    }
    const errors = (await (await fetch(api(1, '/logs?level=ERROR'), { headers: auth(CLUSTER_ADMIN_KEY) })).json()) as { logs: { level: string }[] };
    expect(errors.logs.every((l) => l.level === 'ERROR')).toBe(true);
  });

  it('exposes the listed metrics: each API process with an admin key, each worker on its METRICS_PORT', async () => {
    const url = `${cluster.apis[0]?.url ?? ''}/metrics`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ detail: { code: 'AUTHENTICATION_REQUIRED', message: expect.any(String), details: {} } });
    const user = await fetch(url, { headers: auth(CLUSTER_KEY) });
    expect(user.status).toBe(403);
    expect(await user.json()).toEqual({ detail: { code: 'INVALID_API_KEY', message: expect.any(String), details: {} } });

    const scrape = await fetch(url, { headers: auth(CLUSTER_ADMIN_KEY) });
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scrape.text();
    for (const name of METRIC_NAMES) expect(text, name).toContain(`# TYPE ${name} `);
    expect(text).toMatch(/image2model_http_request_duration_seconds_count\{(?=[^}]*route="\/api\/v1\/upload\/batch")(?=[^}]*status="200")[^}]*\} 1\b/);
    expect(text).toMatch(/image2model_queue_workers\{role="api"\} 2\b/);
    const streamed = await (await fetch(`${cluster.apis[1]?.url ?? ''}/metrics`, { headers: auth(CLUSTER_ADMIN_KEY) })).text();
    expect(streamed).toMatch(/image2model_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/status\/stream\/\{job_id\}"/);
    expect(streamed).toMatch(/image2model_sse_connections\{role="api"\} 0\b/);

    let generations = 0;
    for (const worker of cluster.workers) {
      expect(worker.metricsUrl).not.toBeNull();
      const own = await fetch(worker.metricsUrl ?? '');
      expect(own.status).toBe(200);
      const body = await own.text();
      for (const name of ['image2model_file_generation_duration_seconds', 'image2model_provider_errors_total', 'image2model_queue_jobs', 'process_cpu_seconds_total']) {
        expect(body, name).toContain(`# TYPE ${name} `);
      }
      generations += Number(/image2model_file_generation_duration_seconds_count\{(?=[^}]*provider="local")(?=[^}]*outcome="completed")[^}]*\} (\d+)/.exec(body)?.[1] ?? 0);
    }
    expect(generations).toBe(25); // each worker counts its own; together, every file once
  });

  it('counts and cleans up jobs across processes', async () => {
    const info = (await (await fetch(api(1, '/admin/system-info'), { headers: auth(CLUSTER_ADMIN_KEY) })).json()) as { jobs: { completed: number; active: number } };
    expect(info.jobs).toMatchObject({ completed: 1, active: 0 });
    const cleanup = await fetch(api(0, '/admin/cleanup'), {
      method: 'POST',
      headers: { ...auth(CLUSTER_ADMIN_KEY), 'Content-Type': 'application/json' },
      body: JSON.stringify({ older_than_hours: 0 }),
    });
    expect(cleanup.status).toBe(200);
    expect(((await cleanup.json()) as { cleaned_files: number }).cleaned_files).toBeGreaterThanOrEqual(50); // 25 uploads + 25 models
    await waitFor(async () => ((await fetch(api(1, `/status/${jobId}`), { headers: auth(CLUSTER_KEY) })).status === 404 ? true : undefined));
  });

  it('refuses to start a worker whose DATA_DIR is not the shared volume, saying why', { timeout: 60_000 }, async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'i2m-not-shared-'));
    try {
      await expect(startWorkerProcess({ ...cluster.env, DATA_DIR: elsewhere })).rejects.toThrow(
        /worker exited with 1[\s\S]*DATA_DIR \(.*\) is not the volume the other Image2Model processes use[\s\S]*SAME shared DATA_DIR/,
      );
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});
