import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { FakeModelProvider } from '../testing/fake-model-provider.js';
import type { GenerationHooks } from '../providers/model-provider.js';
import { createServiceHarness, eventsUntilDone, OWNER, recordingLogger } from '../testing/service-harness.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsBlobStorage } from '../storage/blob-storage.fs.js';
import { FsJobEvents } from '../adapters/fs/job-events.fs.js';
import { FsJobStore } from '../adapters/fs/job-store.fs.js';
import { MemoryJobQueue } from '../adapters/memory/job-queue.memory.js';
import { MemoryTaskCancellation } from '../adapters/memory/task-cancellation.memory.js';
import { silentLogger } from '../logger.js';
import { createJobService } from './create-job-service.js';
import type { JobEvent, JobEventPayload, JobEvents } from './job-events.js';

const CARD_WARNING = { code: 'BACKGROUND_NOT_SEPARATED', message: 'Could not separate an object from the background' };

type Harness = Awaited<ReturnType<typeof createServiceHarness>>;

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Events without ids, for comparing sequences. */
function shapes(events: JobEvent[]) {
  return events.map(({ id: _id, ...rest }) => rest);
}

describe('processing a job', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createServiceHarness();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('takes an upload to completed models with progress, logs, completed and done in order', async () => {
    const provider = new FakeModelProvider({ warnings: [CARD_WARNING], shape: 'card' });
    const { service, events, storage } = await h.start({ provider });
    const { job } = await h.upload(service, ['chair.png']);
    const id = job.job_id;
    const trail = await eventsUntilDone(events, id);
    expect(shapes(trail)).toEqual([
      { type: 'progress', job_id: id, file_id: 'file_001', progress: 0 },
      { type: 'progress', job_id: id, file_id: 'file_001', progress: 25 },
      { type: 'progress', job_id: id, file_id: 'file_001', progress: 50 },
      { type: 'progress', job_id: id, file_id: 'file_001', progress: 75 },
      { type: 'log', job_id: id, file_id: 'file_001', message: 'Fake generation finished', level: 'info' },
      { type: 'log', job_id: id, file_id: 'file_001', message: CARD_WARNING.message, level: 'warning' },
      { type: 'completed', job_id: id, file_id: 'file_001', warnings: [CARD_WARNING], shape: 'card' },
      { type: 'done', job_id: id, status: 'completed' },
    ]);
    expect(trail.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    const file = (await service.getJob(id, { owner: OWNER, session_id: null })).files[0];
    expect(file).toMatchObject({
      status: 'completed',
      progress: 100,
      model_key: `jobs/${id}/models/file_001.glb`,
      preview_key: `jobs/${id}/previews/file_001.png`,
      warnings: [CARD_WARNING],
      shape: 'card',
      error: null,
    });
    expect((await storage.read(`jobs/${id}/models/file_001.glb`)).toString()).toBe(`glTF fake model for ${id}/file_001`);
    expect(provider.calls[0]?.image.toString()).toBe('image bytes of chair.png');
  });

  it('hands the provider the stored photo by path, never its bytes (no whole upload in memory per running file)', async () => {
    const images: unknown[] = [];
    const provider = new FakeModelProvider();
    const generate = provider.generate.bind(provider);
    provider.generate = (request, hooks) => {
      images.push(request.image);
      return generate(request, hooks);
    };
    const { service, events, storage } = await h.start({ provider });
    const { job } = await h.upload(service, ['chair.png']);
    await eventsUntilDone(events, job.job_id);
    expect(images).toEqual([{ path: storage.resolveKey(`jobs/${job.job_id}/uploads/file_001.png`) }]);
  });

  it('fails a generation that never answers after the timeout, and frees its slot for the next file', async () => {
    const provider = new FakeModelProvider();
    provider.hold();
    const { service, events } = await h.start({ provider, concurrency: 1, generationTimeoutMs: 150 });
    const { job } = await h.upload(service, ['a.png', 'b.png']);
    const trail = await eventsUntilDone(events, job.job_id);
    const failed = trail.filter((e) => e.type === 'failed');
    expect(failed.map((e) => ('file_id' in e ? e.file_id : ''))).toEqual(['file_001', 'file_002']);
    expect(failed[0]).toMatchObject({ error: { code: 'PROCESSING_ERROR', message: expect.stringMatching(/timed out/) } });
    expect(provider.calls.map((c) => c.file_id)).toEqual(['file_001', 'file_002']);
    expect(trail.at(-1)).toMatchObject({ type: 'done', status: 'failed' });
    provider.release();
  });

  it('drops what a timed-out generation still reports after its file failed: nothing follows failed and done', async () => {
    let late: GenerationHooks | null = null;
    const provider = new FakeModelProvider();
    provider.generate = (_request, hooks) => {
      late = hooks;
      return new Promise<never>(() => undefined); // keeps running past the timeout
    };
    const { service, events } = await h.start({ provider, generationTimeoutMs: 50 });
    const { job } = await h.upload(service, ['a.png']);
    const trail = await eventsUntilDone(events, job.job_id);
    expect(trail.slice(-2).map((e) => e.type)).toEqual(['failed', 'done']);
    (late as GenerationHooks | null)?.onLog('still working');
    (late as GenerationHooks | null)?.onProgress(90);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the hooks' writes run in order on the task's chain
    // Appended after anything the hooks could have appended: the log keeps call order.
    const marker = await events.append(job.job_id, { type: 'progress', job_id: job.job_id, file_id: 'file_001', progress: 0 });
    expect((await events.since(job.job_id, trail.at(-1)?.id ?? null)).map((e) => e.id)).toEqual([marker.id]);
  });

  it("appends done only after every file's final event, even when another file's append lags behind its store update", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'i2m-done-order-'));
    try {
      const store = await FsJobStore.open({ root });
      const fsEvents = new FsJobEvents({ root });
      // file_001's `completed` reaches the log 300 ms after its store update: file_002 finishes the job meanwhile.
      const events: JobEvents = Object.assign(Object.create(fsEvents) as JobEvents, {
        async append(jobId: string, event: JobEventPayload) {
          if (event.type === 'completed' && event.file_id === 'file_001') await new Promise((resolve) => setTimeout(resolve, 300));
          return fsEvents.append(jobId, event);
        },
      });
      const queue = new MemoryJobQueue({ concurrency: 2, backoffMs: 5 });
      const service = createJobService({ store, queue, events, storage: new FsBlobStorage({ root }), provider: new FakeModelProvider(), logger: silentLogger });
      queue.process((task, ctx) => service.processTask(task, ctx));
      const tmp = path.join(root, 'upload.png');
      await writeFile(tmp, 'image');
      const tmp2 = path.join(root, 'upload2.png');
      await writeFile(tmp2, 'image');
      const { job } = await service.createJob({ owner: OWNER, face_limit: null, images: [{ filename: 'a.png', temp_path: tmp, format: 'png' }, { filename: 'b.png', temp_path: tmp2, format: 'png' }] });
      const trail = await eventsUntilDone(fsEvents, job.job_id);
      expect(trail.filter((e) => e.type === 'completed').map((e) => ('file_id' in e ? e.file_id : '')).sort()).toEqual(['file_001', 'file_002']);
      expect(trail.at(-1)?.type).toBe('done');
      await queue.close();
      await fsEvents.close();
      await store.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('puts the completed mark on disk and announces it only once the model is synced', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'i2m-synced-'));
    try {
      let sync = (): void => undefined;
      const gate = new Promise<void>((resolve) => (sync = resolve));
      const storage = new FsBlobStorage({ root });
      const writeUnsynced = storage.writeUnsynced.bind(storage);
      storage.writeUnsynced = async (key, data) => {
        const written = await writeUnsynced(key, data);
        return { ...written, synced: gate.then(() => written.synced) };
      };
      const store = await FsJobStore.open({ root });
      const events = new FsJobEvents({ root });
      const queue = new MemoryJobQueue({ concurrency: 1 });
      const service = createJobService({ store, queue, events, storage, provider: new FakeModelProvider(), logger: silentLogger });
      queue.process((task, ctx) => service.processTask(task, ctx));
      const temp = path.join(root, 'upload.png');
      await writeFile(temp, 'image');
      const { job } = await service.createJob({ owner: OWNER, face_limit: null, images: [{ filename: 'a.png', temp_path: temp, format: 'png' }] });
      const modelKey = `jobs/${job.job_id}/models/file_001.glb`;
      await waitUntil(async () => (await storage.stat(modelKey)) !== null);
      await new Promise((resolve) => setTimeout(resolve, 50)); // time enough to write job.json
      const onDisk = async () => (JSON.parse(await readFile(path.join(root, 'jobs', job.job_id, 'job.json'), 'utf8')) as { files: { status: string }[] }).files[0]?.status;
      expect(await onDisk()).not.toBe('completed');
      expect((await events.since(job.job_id, null)).map((e) => e.type)).not.toContain('completed');
      sync();
      const trail = await eventsUntilDone(events, job.job_id);
      expect(trail.slice(-2).map((e) => e.type)).toEqual(['completed', 'done']);
      expect(await onDisk()).toBe('completed');
      await queue.close();
      await events.close();
      await store.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('sends done once, after every file of a batch has finished', async () => {
    const provider = new FakeModelProvider();
    provider.failNext(new AppError('FAL_API_ERROR', 'Rejected by FAL'));
    const { service, events } = await h.start({ provider, concurrency: 1 });
    const { job } = await h.upload(service, ['a.png', 'b.jpg', 'c.png']);
    const trail = await eventsUntilDone(events, job.job_id);
    const finals = trail.filter((e) => e.type === 'completed' || e.type === 'failed' || e.type === 'done');
    expect(finals.map((e) => `${e.type}:${'file_id' in e ? e.file_id : e.status}`)).toEqual([
      'failed:file_001',
      'completed:file_002',
      'completed:file_003',
      'done:partial',
    ]);
  });

  it('emits a progress event only when the stored progress rises', async () => {
    const provider = new FakeModelProvider({ progressSteps: [30, 30, 20.4, 60.6, 61.2] });
    const { service, events } = await h.start({ provider });
    const { job } = await h.upload(service);
    const trail = await eventsUntilDone(events, job.job_id);
    expect(trail.flatMap((e) => (e.type === 'progress' ? [e.progress] : []))).toEqual([0, 30, 61]);
  });

  it('retries a transient provider failure and resumes the provider task instead of submitting again', async () => {
    const provider = new FakeModelProvider({ name: 'fal', mintTaskIds: false });
    provider.failNext(new AppError('FAL_API_ERROR', 'FAL is busy (429)', { retryable: true }));
    const { service, events } = await h.start({ provider });
    const { job, files } = await h.upload(service);
    expect(files[0]?.model_task_id).toBeNull();
    const trail = await eventsUntilDone(events, job.job_id);
    expect(provider.calls.map((c) => c.existing_task_id)).toEqual([null, 'req_fake_1']);
    expect(shapes(trail).filter((e) => e.type === 'log' && e.level === 'warning')).toEqual([
      {
        type: 'log',
        job_id: job.job_id,
        file_id: 'file_001',
        level: 'warning',
        message: 'Retrying after a transient error: FAL is busy (429) (attempt 2 of 3)',
      },
    ]);
    expect(trail.at(-1)).toMatchObject({ type: 'done', status: 'completed' });
    const file = (await service.getJob(job.job_id, { owner: OWNER, session_id: null })).files[0];
    expect(file).toMatchObject({ status: 'completed', model_task_id: 'req_fake_1' });
  });

  it('keeps a file a cancel stopped until the cancel is recorded, and generates it on when it never is (its canceller died)', async () => {
    const provider = new FakeModelProvider({ name: 'fal', mintTaskIds: false });
    provider.hold();
    const cancellation = new MemoryTaskCancellation();
    const { service, events, queue, store } = await h.start({ provider, cancellation, cancelRecordWaitMs: 300 });
    const { job } = await h.upload(service);
    await provider.waitForCalls(1);
    const task = { job_id: job.job_id, file_id: 'file_001', generation: 1, owner: OWNER };
    // A canceller announces first, then asks the provider and marks the file: this one dies in between.
    await cancellation.announce(task);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await store.getFile(job.job_id, 'file_001'))?.status).toBe('processing');
    expect(await queue.withoutEntry([task])).toEqual([]); // still this task's
    provider.release();
    const trail = await eventsUntilDone(events, job.job_id);
    expect(provider.calls.map((c) => c.existing_task_id)).toEqual([null, 'req_fake_1']);
    expect(trail.filter((e) => e.type === 'completed' || e.type === 'done').map((e) => e.type)).toEqual(['completed', 'done']);
  });

  it('fails a file with the provider error code after the last retry', async () => {
    const provider = new FakeModelProvider();
    provider.failNext(new AppError('FAL_API_ERROR', 'FAL is down', { retryable: true }), 5);
    const { service, events } = await h.start({ provider, maxAttempts: 2 });
    const { job } = await h.upload(service);
    const trail = await eventsUntilDone(events, job.job_id);
    expect(provider.calls).toHaveLength(2);
    expect(shapes(trail.slice(-2))).toEqual([
      { type: 'failed', job_id: job.job_id, file_id: 'file_001', error: { code: 'FAL_API_ERROR', message: 'FAL is down' } },
      { type: 'done', job_id: job.job_id, status: 'failed' },
    ]);
  });

  it('fails a file at once on a permanent error and stores {code, message}', async () => {
    const provider = new FakeModelProvider();
    provider.failNext(new AppError('VALIDATION_ERROR', 'The image has no recognisable object'));
    const { service, events } = await h.start({ provider });
    const { job } = await h.upload(service);
    const trail = await eventsUntilDone(events, job.job_id);
    expect(provider.calls).toHaveLength(1);
    expect(trail.at(-2)).toMatchObject({ type: 'failed', error: { code: 'VALIDATION_ERROR', message: 'The image has no recognisable object' } });
    const file = (await service.getJob(job.job_id, { owner: OWNER, session_id: null })).files[0];
    expect(file).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_ERROR', message: 'The image has no recognisable object' } });
  });

  it('hides an unexpected error behind PROCESSING_ERROR and logs its cause', async () => {
    const provider = new FakeModelProvider();
    const cause = new Error('ENOSPC: /secret/path');
    provider.failNext(cause);
    const { logger, records } = recordingLogger();
    const { service, events } = await h.start({ provider, logger });
    const { job } = await h.upload(service);
    const trail = await eventsUntilDone(events, job.job_id);
    expect(trail.at(-2)).toMatchObject({ type: 'failed', error: { code: 'PROCESSING_ERROR', message: 'Internal processing error' } });
    expect(records).toContainEqual(
      expect.objectContaining({ level: 'error', obj: expect.objectContaining({ err: cause, job_id: job.job_id, file_id: 'file_001' }) }),
    );
  });

  it('ignores tasks for unknown files, finished files and older generations', async () => {
    const provider = new FakeModelProvider();
    const { service, events } = await h.start({ provider });
    const { job } = await h.upload(service);
    await eventsUntilDone(events, job.job_id);
    const ctx = { attempt: 1, maxAttempts: 3, signal: new AbortController().signal };
    await service.processTask({ job_id: job.job_id, file_id: 'file_001', generation: 1, owner: OWNER }, ctx); // completed
    await service.processTask({ job_id: job.job_id, file_id: 'file_404', generation: 1, owner: OWNER }, ctx);
    await service.processTask({ job_id: 'batch_20000101_000000_nojob0', file_id: 'file_001', generation: 1, owner: OWNER }, ctx);
    expect(provider.calls).toHaveLength(1);
    expect((await events.since(job.job_id, null)).at(-1)?.type).toBe('done');
    provider.hold();
    await service.generateSingle({ job_id: job.job_id, file_id: 'file_001' }, { owner: OWNER, session_id: null });
    await provider.waitForCalls(2);
    const before = (await events.since(job.job_id, null)).length;
    await service.processTask({ job_id: job.job_id, file_id: 'file_001', generation: 1, owner: OWNER }, ctx); // generation 2 is running
    expect(provider.calls).toHaveLength(2);
    expect(await events.since(job.job_id, null)).toHaveLength(before);
    provider.release();
  });

  it('leaves an interrupted file processing, and a restarted service finishes every file exactly once', async () => {
    const first = new FakeModelProvider({ name: 'fal', mintTaskIds: false });
    first.hold();
    const a = await h.start({ provider: first, concurrency: 1 });
    const { job } = await h.upload(a.service, ['a.png', 'b.png']);
    await first.waitForCalls(1);
    await waitUntil(async () => (await a.store.getFile(job.job_id, 'file_001'))?.model_task_id === 'req_fake_1');
    await a.stop(); // the held call is aborted, like a crash
    const interrupted = await a.store.get(job.job_id);
    expect(interrupted?.files.map((f) => [f.status, f.model_task_id])).toEqual([
      ['processing', 'req_fake_1'],
      ['pending', null],
    ]);
    const lastId = (await a.events.since(job.job_id, null)).at(-1)?.id ?? null;

    const second = new FakeModelProvider({ name: 'fal', mintTaskIds: false });
    const b = await h.start({ provider: second, concurrency: 1 });
    expect(await b.service.resumeUnfinished()).toBe(2);
    const trail = await eventsUntilDone(b.events, job.job_id, lastId);
    expect(second.calls.map((c) => [c.file_id, c.existing_task_id])).toEqual([
      ['file_001', 'req_fake_1'],
      ['file_002', null],
    ]);
    expect(trail.filter((e) => e.type === 'completed').map((e) => ('file_id' in e ? e.file_id : null))).toEqual(['file_001', 'file_002']);
    expect(Number(trail[0]?.id)).toBeGreaterThan(Number(lastId));
    expect(await b.service.resumeUnfinished()).toBe(0);
  });
});
