import { readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { AppError } from '../errors.js';
import { JOB_ID_PATTERN, SESSION_ID_PATTERN } from '../ids.js';
import { FakeModelProvider } from '../testing/fake-model-provider.js';
import { createServiceHarness, eventsUntilDone, OTHER_OWNER, OWNER } from '../testing/service-harness.js';
import type { Access } from './job-service.js';

type Harness = Awaited<ReturnType<typeof createServiceHarness>>;
const owner: Access = { owner: OWNER, session_id: null };

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

function appError(code: string, message: string) {
  return expect.objectContaining({ name: 'AppError', code, message }) as unknown;
}

describe('JobService', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createServiceHarness();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  describe('createJob', () => {
    it('stores the uploads under the job, numbers the files in upload order and queues them', async () => {
      const provider = new FakeModelProvider();
      provider.hold();
      const { service, storage } = await h.start({ provider });
      const { job, files } = await h.upload(service, ['b.png', 'a.jpg', 'c.png'], 500);
      expect(job.job_id).toMatch(JOB_ID_PATTERN);
      expect(job.session_id).toMatch(SESSION_ID_PATTERN);
      expect(job).toMatchObject({ owner: OWNER, face_limit: 500 });
      expect(files.map((f) => [f.file_id, f.filename, f.status, f.progress, f.face_limit, f.image_key])).toEqual([
        ['file_001', 'b.png', 'pending', 0, 500, `jobs/${job.job_id}/uploads/file_001.png`],
        ['file_002', 'a.jpg', 'pending', 0, 500, `jobs/${job.job_id}/uploads/file_002.jpg`],
        ['file_003', 'c.png', 'pending', 0, 500, `jobs/${job.job_id}/uploads/file_003.png`],
      ]);
      expect(files.map((f) => f.model_task_id)).toEqual(['task_fake_1', 'task_fake_2', 'task_fake_3']);
      expect((await storage.read(`jobs/${job.job_id}/uploads/file_002.jpg`)).toString()).toBe('image bytes of a.jpg');
      expect(await readdir(h.uploadTempDir)).toEqual([]); // the temp files were moved, not copied
      await provider.waitForCalls(2); // every file was queued at once: both slots are busy
      provider.release();
    });

    it('stores nothing and queues nothing when one upload cannot be moved in', async () => {
      const provider = new FakeModelProvider();
      const { service, store } = await h.start({ provider });
      const good = path.join(h.uploadTempDir, 'good');
      await writeFile(good, 'x');
      const images = [
        { filename: 'a.png', temp_path: good, format: 'png' as const },
        { filename: 'b.png', temp_path: path.join(h.uploadTempDir, 'missing'), format: 'png' as const },
      ];
      await expect(service.createJob({ owner: OWNER, face_limit: null, images })).rejects.toThrow(/ENOENT/);
      expect(await store.listJobs({ owner: OWNER, statuses: [], limit: 10 })).toEqual([]);
      expect(await readdir(path.join(h.root, 'jobs')).catch(() => [])).toEqual([]);
      expect(provider.calls).toEqual([]);
    });
  });

  describe('visibility', () => {
    it("shows a job to its owner's key and to its session id, and hides it from everyone else as not found", async () => {
      const { service } = await h.start();
      const { job } = await h.upload(service);
      expect((await service.getJob(job.job_id, owner)).job.job_id).toBe(job.job_id);
      expect((await service.getJob(job.job_id, { owner: null, session_id: job.session_id })).job.job_id).toBe(job.job_id);
      const forged = `sess_${'x'.repeat(job.session_id.length - 5)}`;
      for (const access of [
        { owner: OTHER_OWNER, session_id: null },
        { owner: null, session_id: forged },
        { owner: null, session_id: 'sess_short' },
        { owner: null, session_id: null },
      ]) {
        await expect(service.getJob(job.job_id, access)).rejects.toEqual(appError('NOT_FOUND', 'Job not found'));
        await expect(service.openModel(job.job_id, 'file_001', access)).rejects.toEqual(appError('NOT_FOUND', 'Job not found'));
      }
      await expect(service.getJob('batch_20000101_000000_nojob0', owner)).rejects.toEqual(appError('NOT_FOUND', 'Job not found'));
      await expect(service.getJob('../../etc', owner)).rejects.toEqual(appError('NOT_FOUND', 'Job not found'));
    });
  });

  describe('downloads', () => {
    it('streams our copy of a completed model under the upload name, and its preview', async () => {
      const { service, events } = await h.start();
      const { job } = await h.upload(service, ['My Chair.final.PNG']);
      await expect(service.openModel(job.job_id, 'file_001', owner)).rejects.toEqual(appError('NOT_FOUND', 'Model not ready'));
      await expect(service.listCompletedModels(job.job_id, owner)).rejects.toEqual(appError('NOT_FOUND', 'No completed models'));
      await eventsUntilDone(events, job.job_id);
      const model = await service.openModel(job.job_id, 'file_001', { owner: null, session_id: job.session_id });
      if (model.kind !== 'file') throw new Error('expected our stored copy');
      expect(model.filename).toBe('My Chair.final.glb');
      expect(await text(model.stream)).toBe(`glTF fake model for ${job.job_id}/file_001`);
      expect(model.size).toBe(`glTF fake model for ${job.job_id}/file_001`.length);
      const preview = await service.openPreview(job.job_id, 'file_001', owner);
      expect(await text(preview.stream)).toBe('fake png');
      const { models } = await service.listCompletedModels(job.job_id, owner);
      expect(models).toEqual([{ file_id: 'file_001', filename: 'My Chair.final.PNG', model_key: `jobs/${job.job_id}/models/file_001.glb` }]);
      await expect(service.openModel(job.job_id, 'file_404', owner)).rejects.toEqual(appError('NOT_FOUND', 'File not found'));
    });

    it("redirects to the provider's URL only when our copy is missing", async () => {
      const { service, events, storage } = await h.start({ provider: new FakeModelProvider({ remoteModelUrl: 'https://cdn.example/m.glb', preview: false }) });
      const { job } = await h.upload(service);
      await eventsUntilDone(events, job.job_id);
      expect((await service.openModel(job.job_id, 'file_001', owner)).kind).toBe('file');
      await expect(service.openPreview(job.job_id, 'file_001', owner)).rejects.toEqual(appError('NOT_FOUND', 'Preview not found'));
      await storage.deletePrefix(`jobs/${job.job_id}/models`);
      expect(await service.openModel(job.job_id, 'file_001', owner)).toEqual({ kind: 'redirect', url: 'https://cdn.example/m.glb' });
      await expect(service.listCompletedModels(job.job_id, owner)).rejects.toEqual(appError('NOT_FOUND', 'No completed models'));
    });
  });

  describe('generateSingle', () => {
    it('refuses while the file is pending or processing, and needs the owner', async () => {
      const provider = new FakeModelProvider();
      provider.hold();
      const { service } = await h.start({ provider, concurrency: 1 });
      const { job } = await h.upload(service, ['a.png', 'b.png']);
      await provider.waitForCalls(1);
      for (const file_id of ['file_001', 'file_002']) {
        await expect(service.generateSingle({ job_id: job.job_id, file_id }, owner)).rejects.toEqual(
          appError('CONFLICT', `File ${file_id} is already being generated; wait until it completes or fails`),
        );
      }
      await expect(service.generateSingle({ job_id: job.job_id, file_id: 'file_001' }, { owner: null, session_id: job.session_id })).rejects.toEqual(
        appError('NOT_FOUND', 'Job not found'),
      );
      await expect(service.generateSingle({ job_id: job.job_id, file_id: 'file_001' }, { owner: OTHER_OWNER, session_id: job.session_id })).rejects.toEqual(
        appError('NOT_FOUND', 'Job not found'),
      );
      await expect(service.generateSingle({ job_id: job.job_id, file_id: 'file_009' }, owner)).rejects.toEqual(appError('NOT_FOUND', 'File not found'));
      const conflict = await service.generateSingle({ job_id: job.job_id, file_id: 'file_001' }, owner).catch((e: unknown) => e);
      expect(conflict).toBeInstanceOf(AppError);
      expect((conflict as AppError).status).toBe(409);
      provider.release();
    });

    it('regenerates a finished file as a new generation, keeping or replacing its face limit', async () => {
      const provider = new FakeModelProvider();
      const { service, events } = await h.start({ provider });
      const { job } = await h.upload(service, ['a.png'], 800);
      let trail = await eventsUntilDone(events, job.job_id);
      let lastId = trail.at(-1)?.id ?? null;

      const result = await service.generateSingle({ job_id: job.job_id, file_id: 'file_001', face_limit: 2000 }, owner);
      expect(result).toEqual({ job_id: job.job_id, file_id: 'file_001', model_task_id: 'task_fake_2', status: 'processing' });
      expect((await events.since(job.job_id, lastId))[0]).toMatchObject({ type: 'progress', file_id: 'file_001', progress: 0 });
      trail = await eventsUntilDone(events, job.job_id, lastId);
      expect(trail.at(-1)).toMatchObject({ type: 'done', status: 'completed' });
      expect(Number(trail.at(-1)?.id)).toBeGreaterThan(Number(lastId));
      lastId = trail.at(-1)?.id ?? null;

      await service.generateSingle({ job_id: job.job_id, file_id: 'file_001' }, owner);
      await eventsUntilDone(events, job.job_id, lastId);
      await service.generateSingle({ job_id: job.job_id, file_id: 'file_001', face_limit: null }, owner);
      expect(provider.calls.slice(0, 3).map((c) => c.face_limit)).toEqual([800, 2000, 2000]);
      const file = (await service.getJob(job.job_id, owner)).files[0];
      expect(file).toMatchObject({ generation: 4, face_limit: null });
    });

    it('lets exactly one of two simultaneous requests restart a file', async () => {
      const provider = new FakeModelProvider();
      const { service, events } = await h.start({ provider });
      const { job } = await h.upload(service);
      await eventsUntilDone(events, job.job_id);
      provider.hold();
      const outcomes = await Promise.allSettled([
        service.generateSingle({ job_id: job.job_id, file_id: 'file_001' }, owner),
        service.generateSingle({ job_id: job.job_id, file_id: 'file_001' }, owner),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
      expect((await service.getJob(job.job_id, owner)).files[0]?.generation).toBe(2);
      provider.release();
    });

    it('retries a failed file', async () => {
      const provider = new FakeModelProvider();
      provider.failNext(new AppError('FAL_API_ERROR', 'Rejected'));
      const { service, events } = await h.start({ provider });
      const { job } = await h.upload(service);
      const first = await eventsUntilDone(events, job.job_id);
      expect(first.at(-1)).toMatchObject({ type: 'done', status: 'failed' });
      await service.generateSingle({ job_id: job.job_id, file_id: 'file_001' }, owner);
      const restarted = (await service.getJob(job.job_id, owner)).files[0];
      expect(restarted?.error).toBeNull();
      const second = await eventsUntilDone(events, job.job_id, first.at(-1)?.id ?? null);
      expect(second.at(-1)).toMatchObject({ type: 'done', status: 'completed' });
    });
  });

  describe('the active-files limit', () => {
    const refused = (active_files: number, requested: number) =>
      expect.objectContaining({
        code: 'RATE_LIMIT_EXCEEDED',
        opts: { details: { reason: 'active_files', limit: 3, active_files, requested, retry_after: 10 } },
      }) as unknown;

    it("refuses an upload, retry or generate-single that would take the owner's pending + processing files past it, storing nothing", async () => {
      const provider = new FakeModelProvider();
      provider.hold();
      const { service, store, storage } = await h.start({ provider, concurrency: 1, maxActiveFilesPerOwner: 3 });
      const { job } = await h.upload(service, ['a.png', 'b.png']);
      await expect(h.upload(service, ['c.png', 'd.png'])).rejects.toEqual(refused(2, 2));
      expect(await readdir(h.uploadTempDir)).toHaveLength(2); // left for the caller to delete, never moved in
      expect((await store.listJobs({ owner: OWNER, statuses: [], limit: 10 })).map((p) => p.job_id)).toEqual([job.job_id]);
      expect(await readdir(storage.resolveKey('jobs'))).toEqual([job.job_id]);
      await h.upload(service, ['c.png'], null, OTHER_OWNER); // another owner's count is its own
      await service.cancelFiles({ job_id: job.job_id }, owner);
      await h.upload(service, ['c.png', 'd.png']);
      // Two cancelled files to retry on top of two pending: 2 + 2 > 3.
      await expect(service.retryFiles({ job_id: job.job_id }, owner)).rejects.toEqual(refused(2, 2));
      await service.generateSingle({ job_id: job.job_id, file_id: 'file_001' }, owner);
      expect(await store.activeFiles(OWNER)).toBe(3);
      await expect(service.generateSingle({ job_id: job.job_id, file_id: 'file_002' }, owner)).rejects.toEqual(refused(3, 1));
      await expect(h.upload(service, ['e.png'])).rejects.toEqual(refused(3, 1));
      await service.cancelFiles({ job_id: job.job_id, file_ids: ['file_001'] }, owner);
      await expect(service.generateSingle({ job_id: job.job_id, file_id: 'file_002' }, owner)).resolves.toMatchObject({ status: 'processing' });
      // A file already running is a conflict, whatever the count.
      await expect(service.generateSingle({ job_id: job.job_id, file_id: 'file_002' }, owner)).rejects.toMatchObject({ code: 'CONFLICT' });
      provider.release();
    });
  });

  describe('cleanup', () => {
    it('deletes finished jobs older than the threshold with all their files, and nothing else', async () => {
      const provider = new FakeModelProvider();
      const { service, events, store } = await h.start({ provider, concurrency: 1 });
      const finished = await h.upload(service, ['a.png', 'b.png']);
      await eventsUntilDone(events, finished.job.job_id);
      provider.hold();
      const running = await h.upload(service);
      await provider.waitForCalls(3);
      const outside = path.join(path.dirname(h.root), `${path.basename(h.root)}-outside.txt`);
      await writeFile(outside, 'not ours');
      onTestFinished(() => rm(outside, { force: true }));
      const oldTmp = path.join(h.uploadTempDir, 'stray-upload');
      await writeFile(oldTmp, 'x'.repeat(1000));
      const old = new Date(Date.now() - 3 * 3_600_000);
      await utimes(oldTmp, old, old);
      const freshTmp = path.join(h.uploadTempDir, 'in-flight-upload');
      await writeFile(freshTmp, 'y');

      expect(await service.cleanup(1)).toEqual({ cleaned_files: 1, freed_space_mb: 0 }); // only the stray temp file
      expect(await store.get(finished.job.job_id)).not.toBeNull();

      const jobDir = path.join(h.root, 'jobs', finished.job.job_id);
      expect(await readdir(path.join(jobDir, 'uploads'))).toHaveLength(2);
      h.advanceClock(2 * 3_600_000);
      const justNow = new Date(Date.now() + 2 * 3_600_000); // "now" on the advanced clock
      await utimes(freshTmp, justNow, justNow);
      const result = await service.cleanup(1);
      expect(result.cleaned_files).toBe(2 + 2 + 2); // uploads, models, previews; not the fresh temp file
      expect(result.freed_space_mb).toBe(0); // a few hundred bytes round to 0.00 MiB
      expect(await store.get(finished.job.job_id)).toBeNull();
      expect(await events.since(finished.job.job_id, null)).toEqual([]);
      await expect(stat(jobDir)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await store.get(running.job.job_id)).not.toBeNull(); // still processing
      expect(await readdir(h.uploadTempDir)).toEqual(['in-flight-upload']);
      expect(await readFile(outside, 'utf8')).toBe('not ours');
      provider.release();
    });

    it('reports freed space in MiB with two decimals', async () => {
      const { service, events } = await h.start();
      const { job } = await h.upload(service);
      await eventsUntilDone(events, job.job_id);
      await writeFile(path.join(h.root, 'jobs', job.job_id, 'uploads', 'file_001.png'), Buffer.alloc(1_572_864)); // 1.5 MiB
      h.advanceClock(3_600_000);
      const { freed_space_mb } = await service.cleanup(0);
      expect(freed_space_mb).toBeGreaterThanOrEqual(1.5);
      expect(freed_space_mb).toBeLessThan(1.51);
      expect(Math.round(freed_space_mb * 100) / 100).toBe(freed_space_mb);
    });

    it('keeps upload temp files younger than 15 minutes even when asked to clean everything', async () => {
      const { service } = await h.start();
      const recent = path.join(h.uploadTempDir, 'recent-upload');
      await writeFile(recent, 'x');
      const minutesAgo = new Date(Date.now() - 5 * 60_000);
      await utimes(recent, minutesAgo, minutesAgo);
      const stale = path.join(h.uploadTempDir, 'stale-upload');
      await writeFile(stale, 'x');
      const longAgo = new Date(Date.now() - 20 * 60_000);
      await utimes(stale, longAgo, longAgo);
      expect(await service.cleanup(0)).toEqual({ cleaned_files: 1, freed_space_mb: 0 });
      expect(await readdir(h.uploadTempDir)).toEqual(['recent-upload']);
    });

    it('refuses a negative age', async () => {
      const { service } = await h.start();
      await expect(service.cleanup(-1)).rejects.toEqual(appError('VALIDATION_ERROR', 'older_than_hours must be a non-negative number'));
    });
  });

  it('counts jobs by status', async () => {
    const provider = new FakeModelProvider();
    provider.failNext(new AppError('FAL_API_ERROR', 'no'));
    const { service, events } = await h.start({ provider, concurrency: 1 });
    const failed = await h.upload(service);
    await eventsUntilDone(events, failed.job.job_id);
    const done = await h.upload(service);
    await eventsUntilDone(events, done.job.job_id);
    provider.hold();
    await h.upload(service);
    expect(await service.counts()).toEqual({ active: 1, completed: 1, failed: 1, partial: 0, cancelled: 0 });
    provider.release();
  });
});
