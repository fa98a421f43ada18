import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { createImage2ModelClient, type Image2ModelClient, type TrackedJobEvent } from './index.js';
import { makePhoto } from '@image2model/testing/images';
import { ADMIN_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { readAll } from '@image2model/testing/net';

describe('the client against a real server', () => {
  let server: TestServer;
  let provider: FakeModelProvider;
  let client: Image2ModelClient;

  beforeEach(async () => {
    provider = new FakeModelProvider({ progressSteps: [30, 60, 90] });
    server = await startTestServer({ provider });
    client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
  });
  afterEach(() => server.stop());

  it('answers the health procedures, with or without /api/v1 on the base URL', async () => {
    expect(await client.health.get.query()).toEqual({ status: 'healthy' });
    const tolerant = createImage2ModelClient({ baseUrl: `${server.url}/api/v1/` });
    expect(tolerant.baseUrl).toBe(server.url);
    expect(await tolerant.health.ready.query()).toMatchObject({ status: 'ready', checks: { storage: 'writable' } });
  });

  it('uploads paths, Buffers, Blobs, Files and named bytes as one batch, with face_limit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'i2m-client-upload-'));
    try {
      const photo = await makePhoto();
      const jpeg = await makePhoto({ format: 'jpeg' });
      await writeFile(join(dir, 'from-disk.png'), photo);
      const response = await client.upload(
        [join(dir, 'from-disk.png'), jpeg, new Blob([photo], { type: 'image/png' }), new File([photo], 'a-file.png'), { name: 'named.jpg', data: jpeg }],
        { faceLimit: 1234 },
      );
      expect(response).toEqual({
        job_id: expect.stringMatching(/^batch_\d{8}_\d{6}_\w+$/),
        session_id: expect.any(String),
        files: [
          { file_id: 'file_001', filename: 'from-disk.png', status: 'pending' },
          { file_id: 'file_002', filename: 'image-2.jpg', status: 'pending' },
          { file_id: 'file_003', filename: 'image-3.png', status: 'pending' },
          { file_id: 'file_004', filename: 'a-file.png', status: 'pending' },
          { file_id: 'file_005', filename: 'named.jpg', status: 'pending' },
        ],
        total_files: 5,
        status: 'processing',
      });
      const job = await client.waitForJob(response.job_id);
      expect(provider.calls.map((call) => call.face_limit)).toEqual([1234, 1234, 1234, 1234, 1234]);
      expect(provider.calls.find((call) => call.file_id === 'file_001')?.image.equals(photo)).toBe(true);
      expect(provider.calls.find((call) => call.file_id === 'file_005')?.image.equals(jpeg)).toBe(true);
      expect(job.files.map((f) => f.status)).toEqual(Array(5).fill('completed'));
      // Any iterable of sources (a browser's FileList, a Set) is a batch too.
      const fromSet = await client.upload(new Set([new File([photo], 'x.png'), new File([jpeg], 'y.jpg')]));
      expect(fromSet.files.map((f) => f.filename)).toEqual(['x.png', 'y.jpg']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('iterates the events of a job in order and ends after done', async () => {
    const { job_id, session_id } = await client.upload([await makePhoto(), await makePhoto()]);
    const events: TrackedJobEvent[] = [];
    for await (const event of client.events(job_id)) events.push(event);
    const ids = events.map((e) => Number(e.id));
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] ?? 0))).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'done', job_id, status: 'completed', id: expect.any(String) });
    // Two files run at once, so either may finish first: compare them in file order.
    const completed = events.filter((e) => e.type === 'completed').sort((a, b) => ('file_id' in a && 'file_id' in b ? a.file_id.localeCompare(b.file_id) : 0));
    expect(completed).toEqual(
      ['file_001', 'file_002'].map((file_id) =>
        expect.objectContaining({ file_id, model_url: `${server.url}/api/v1/download/${job_id}/${file_id}/model?session_id=${session_id}` }),
      ),
    );
    const progress = events.filter((e) => e.type === 'progress' && e.file_id === 'file_001').map((e) => (e.type === 'progress' ? e.progress : -1));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress).toContain(90);
  });

  it('watch() hands every event to onEvent in order and resolves with done', async () => {
    const { job_id } = await client.upload(await makePhoto());
    const seen: string[] = [];
    const done = await client.watch(job_id, {
      onEvent: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(event.type);
      },
    });
    expect(done).toMatchObject({ type: 'done', job_id, status: 'completed' });
    expect(seen.at(-1)).toBe('done');
    expect(seen).toContain('completed');
  });

  it('waitForJob() returns the finished job, also with only its session_id', async () => {
    provider.hold();
    const { job_id, session_id } = await client.upload([await makePhoto(), await makePhoto()]);
    const anonymous = createImage2ModelClient({ baseUrl: server.url });
    const waiting = anonymous.waitForJob(job_id, { sessionId: session_id });
    await provider.waitForCalls(2);
    provider.release();
    const job = await waiting;
    expect(job).toMatchObject({ job_id, status: 'completed', total_files: 2, processed_files: 2, failed_files: 0, progress: 100 });
    expect(job).toEqual(await client.status.get.query({ job_id }));
  });

  it('streams a model and the ZIP of all models', async () => {
    const { job_id } = await client.upload([{ name: 'chair.png', data: await makePhoto() }, { name: 'table.png', data: await makePhoto() }]);
    await client.waitForJob(job_id);

    const model = await client.downloadModel(job_id, 'file_002');
    expect(model.stream).toBeInstanceOf(ReadableStream);
    expect(model).toMatchObject({ filename: 'table.glb', contentType: 'model/gltf-binary' });
    const bytes = await readAll(model.stream);
    expect(bytes.toString()).toBe(`glTF fake model for ${job_id}/file_002`);
    expect(model.size).toBe(bytes.length);

    const zip = await client.downloadAll(job_id);
    expect(zip).toMatchObject({ filename: `${job_id}.zip`, contentType: 'application/zip' });
    const entries = unzipSync(new Uint8Array(await readAll(zip.stream)));
    expect(Object.keys(entries).sort()).toEqual(['chair.glb', 'manifest.json', 'table.glb']);
    expect(Buffer.from(entries['chair.glb'] ?? []).toString()).toBe(`glTF fake model for ${job_id}/file_001`);
  });

  it('keeps a download whole when garbage collection runs before it is read', async () => {
    // undici cancels the body of a Response that is garbage collected before its body is locked:
    // a caller that awaits something (a file to open) before reading got an empty stream, no error.
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const { job_id } = await client.upload({ name: 'chair.png', data: await makePhoto() });
    await client.waitForJob(job_id);

    const model = await client.downloadModel(job_id, 'file_001');
    for (let round = 0; round < 3; round++) {
      collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const bytes = await readAll(model.stream);
    expect(bytes.toString()).toBe(`glTF fake model for ${job_id}/file_001`);
  });

  it('downloads with a session_id instead of the API key', async () => {
    const { job_id, session_id } = await client.upload(await makePhoto());
    await client.waitForJob(job_id);
    const anonymous = createImage2ModelClient({ baseUrl: server.url });
    const model = await anonymous.downloadModel(job_id, 'file_001', { sessionId: session_id });
    expect((await readAll(model.stream)).toString()).toBe(`glTF fake model for ${job_id}/file_001`);
  });

  it('downloads the uploaded photo of a file, with the key or the session_id, before its model exists', async () => {
    provider.hold();
    const photo = await makePhoto();
    const { job_id, session_id } = await client.upload({ name: 'Red Chair.png', data: photo });
    const byKey = await client.downloadPhoto(job_id, 'file_001');
    expect(byKey).toMatchObject({ filename: 'Red Chair.png', contentType: 'image/png' });
    expect((await readAll(byKey.stream)).equals(photo)).toBe(true);
    const anonymous = createImage2ModelClient({ baseUrl: server.url });
    const bySession = await anonymous.downloadPhoto(job_id, 'file_001', { sessionId: session_id });
    expect((await readAll(bySession.stream)).equals(photo)).toBe(true);
    await expect(anonymous.downloadPhoto(job_id, 'file_001')).rejects.toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
    provider.release();
  });

  it('runs mutations, admin procedures and logs through the typed proxy', async () => {
    const { job_id } = await client.upload(await makePhoto());
    await client.waitForJob(job_id);
    const retried = await client.models.generateSingle.mutate({ job_id, file_id: 'file_001', face_limit: 500 });
    expect(retried).toEqual({ job_id, file_id: 'file_001', model_task_id: expect.any(String), status: 'processing' });
    const job = await client.waitForJob(job_id);
    expect(job.files[0]?.face_limit).toBe(500);

    const admin = createImage2ModelClient({ baseUrl: server.url, apiKey: ADMIN_KEY });
    const info = await admin.admin.systemInfo.query();
    expect(info.jobs).toMatchObject({ completed: 1, active: 0 });
    expect(await admin.admin.cleanup.mutate({ older_than_hours: 1 })).toEqual({ cleaned_files: 0, freed_space_mb: 0 });
    const logs = await admin.logs.get.query({ lines: 500, level: 'INFO' });
    expect(logs.logs.some((entry) => entry.message.includes(job_id))).toBe(true);
    expect(logs.total_lines).toBe(logs.logs.length);
  });

  it('lists the key’s jobs a page at a time with jobs.list, and every job with allJobs()', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.upload(await makePhoto())).job_id);
    const page = await client.jobs.list.query({ limit: 2 });
    expect(page.jobs.map((j) => j.job_id)).toEqual([ids[4], ids[3]]);
    expect(page.next_cursor).toEqual(expect.any(String));
    const all: string[] = [];
    for await (const job of client.allJobs({ limit: 2 })) all.push(job.job_id);
    expect(all).toEqual([...ids].reverse());
    const admin = createImage2ModelClient({ baseUrl: server.url, apiKey: ADMIN_KEY });
    expect((await admin.jobs.list.query({})).jobs).toEqual([]);
    await expect(client.jobs.list.query({ cursor: 'forged.cursor' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
  });

  it('subscribes through the typed proxy, tracked ids included', async () => {
    const { job_id } = await client.upload(await makePhoto());
    const received = await new Promise<{ id: string; type: string }[]>((resolve, reject) => {
      const events: { id: string; type: string }[] = [];
      const subscription = client.status.onEvents.subscribe(
        { job_id },
        {
          onData(tracked) {
            events.push({ id: tracked.id, type: tracked.data.type });
            if (tracked.data.type === 'done') {
              subscription.unsubscribe();
              resolve(events);
            }
          },
          onError: reject,
        },
      );
    });
    const viaHelper: { id: string; type: string }[] = [];
    for await (const event of client.events(job_id)) viaHelper.push({ id: event.id, type: event.type });
    expect(received).toEqual(viaHelper);
  });
});
