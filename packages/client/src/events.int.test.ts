import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { createImage2ModelClient, Image2ModelError, type TrackedJobEvent } from './index.js';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { makePhoto } from '@image2model/testing/images';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { closedPort, recordingFetch, trpcInput } from '@image2model/testing/net';

const isSubscription = (url: string) => url.includes('/trpc/status.onEvents');

describe('events() resumes after a dropped connection', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('reconnects from the last event id when the server drops the stream, and misses nothing', async () => {
    const card = { code: 'BACKGROUND_NOT_SEPARATED', message: 'Could not separate an object from the background' };
    const provider = new FakeModelProvider({ progressSteps: [20, 40, 60, 80], warnings: [card], shape: 'card' });
    server = await startTestServer({ provider });
    const running = server;
    const recorder = recordingFetch();
    const client = createImage2ModelClient({ baseUrl: running.url, apiKey: USER_KEY, fetch: recorder.fetch, reconnect: { minDelayMs: 50 } });

    provider.hold();
    const photo = await makePhoto();
    const { job_id } = await client.upload([photo, photo]);
    await provider.waitForCalls(2);

    const received: TrackedJobEvent[] = [];
    let dropped = false;
    for await (const event of client.events(job_id)) {
      received.push(event);
      if (!dropped && received.length === 2) {
        // Both files have started (progress 0). Cut every connection, then let the work finish
        // while the client is away: what happens now must be replayed after it reconnects.
        dropped = true;
        running.server.closeAllConnections();
        provider.release();
      }
    }

    expect(dropped).toBe(true);
    const replay: TrackedJobEvent[] = [];
    for await (const event of client.events(job_id)) replay.push(event);
    expect(received).toEqual(replay);
    expect(new Set(received.map((e) => e.id)).size).toBe(received.length);
    expect(received.at(-1)).toMatchObject({ type: 'done', status: 'completed' });
    expect(received.filter((e) => e.type === 'completed').map((e) => e.file_id).sort()).toEqual(['file_001', 'file_002']);
    // Over /trpc as over SSE, a completed event says how the model was made.
    for (const event of received.filter((e) => e.type === 'completed')) expect(event).toMatchObject({ warnings: [card], shape: 'card' });

    const [first, second] = recorder.urls.filter(isSubscription);
    expect(first && trpcInput(first).lastEventId).toBeNull();
    expect(second && trpcInput(second).lastEventId).toBe(received[1]?.id);
  });

  it('starts after lastEventId when given one', async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    const { job_id } = await client.upload(await makePhoto());
    const all: TrackedJobEvent[] = [];
    await client.watch(job_id, { onEvent: (event) => void all.push(event) });
    const cut = all[2]?.id ?? '';
    const rest: TrackedJobEvent[] = [];
    for await (const event of client.events(job_id, { lastEventId: cut })) rest.push(event);
    expect(rest).toEqual(all.slice(3));
  });

  it('gives up with NETWORK_ERROR after the configured attempts when nothing answers', async () => {
    const port = await closedPort();
    const client = createImage2ModelClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: USER_KEY, reconnect: { retries: 2, minDelayMs: 10 } });
    const error = await client.watch('batch_20990101_000000_aaaaaa').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Image2ModelError);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
    expect((error as Error).message).toMatch(/after 2 reconnection attempts/);
  });

  it('stops when its signal aborts, with the signal reason', async () => {
    const provider = new FakeModelProvider();
    server = await startTestServer({ provider });
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    provider.hold();
    const { job_id } = await client.upload(await makePhoto());
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const watching = client.watch(job_id, { signal: controller.signal, onEvent: () => controller.abort(reason) });
    await expect(watching).rejects.toBe(reason);
    provider.release();
  });
});

describe('events() across a server restart', () => {
  const children: ChildServer[] = [];
  let dataDir = '';
  afterEach(async () => {
    for (const child of children) child.child.kill('SIGKILL');
    children.length = 0;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('follows the job to its end when the server is killed and started again on the same port', { timeout: 120_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-client-restart-'));
    const port = await closedPort();
    const env = { DATA_DIR: dataDir, API_KEYS: USER_KEY, WORKER_CONCURRENCY: '1', PORT: String(port) };
    const first = await startChildServer(env);
    children.push(first);
    const client = createImage2ModelClient({ baseUrl: first.url, apiKey: USER_KEY, reconnect: { retries: 40, minDelayMs: 100, maxDelayMs: 500 } });
    const photo = await makePhoto({ width: 768, height: 768, format: 'jpeg' });
    const { job_id } = await client.upload(Array.from({ length: 4 }, (_, i) => ({ name: `photo-${i + 1}.jpg`, data: photo })));

    const received: TrackedJobEvent[] = [];
    let restarted: Promise<void> | null = null;
    for await (const event of client.events(job_id)) {
      received.push(event);
      if (restarted === null) {
        // The first event: kill the server mid-job and bring it back on the same port and data.
        first.child.kill('SIGKILL');
        restarted = first.exited.then(async () => {
          children.push(await startChildServer(env));
        });
      }
    }
    await restarted;

    expect(received.at(-1)).toMatchObject({ type: 'done', job_id, status: 'completed' });
    const ids = received.map((e) => Number(e.id));
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] ?? 0))).toBe(true);
    for (const fileId of ['file_001', 'file_002', 'file_003', 'file_004']) {
      expect(received.filter((e) => e.type === 'completed' && e.file_id === fileId), fileId).toHaveLength(1);
    }
    const status = await client.status.get.query({ job_id });
    expect(status.files.map((f) => f.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
  });
});
