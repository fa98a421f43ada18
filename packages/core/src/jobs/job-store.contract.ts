import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobFileRecord, JobRecord } from './job.js';
import type { JobStore } from './job-store.js';

export interface JobStoreHarness {
  store: JobStore;
  /** Closes the store and opens a new one on the same persisted state; omit for memory-only adapters. */
  reopen?: () => Promise<JobStore>;
  cleanup(): Promise<void>;
  /** Two event ids of the adapter's log, older first. @default ['3', '12'] (the embedded log's) */
  eventIds?: [string, string];
}

export function makeJobRecord(overrides: Partial<JobRecord> = {}): JobRecord {
  const at = new Date().toISOString();
  return {
    job_id: `batch_20240315_123456_${randomBytes(3).toString('hex')}`,
    session_id: `sess_${randomBytes(24).toString('base64url')}`,
    owner: 'owner-hash',
    face_limit: null,
    created_at: at,
    updated_at: at,
    ...overrides,
  };
}

export function makeFileRecord(index: number, jobId: string, overrides: Partial<JobFileRecord> = {}): JobFileRecord {
  const file_id = `file_${String(index + 1).padStart(3, '0')}`;
  const at = new Date().toISOString();
  return {
    file_id,
    filename: `photo ${index + 1}.png`,
    status: 'pending',
    progress: 0,
    model_task_id: null,
    face_limit: null,
    error: null,
    image_key: `jobs/${jobId}/uploads/${file_id}.png`,
    model_key: null,
    preview_key: null,
    remote_model_url: null,
    generation: 1,
    warnings: [],
    shape: null,
    created_at: at,
    updated_at: at,
    ...overrides,
  };
}

/** The behaviour every JobStore adapter must have; run it against each one. */
export function describeJobStoreContract(name: string, factory: () => Promise<JobStoreHarness>): void {
  describe(`JobStore contract: ${name}`, () => {
    let harness: JobStoreHarness;
    let store: JobStore;

    beforeEach(async () => {
      harness = await factory();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    async function seed(fileCount = 2, overrides: Partial<JobFileRecord> = {}) {
      const job = makeJobRecord();
      const files = Array.from({ length: fileCount }, (_, i) => makeFileRecord(i, job.job_id, overrides));
      await store.create(job, files);
      return { job, files, jobId: job.job_id };
    }

    it('returns a created job with its files in upload order, and null for unknown ids', async () => {
      const { job, files, jobId } = await seed(3);
      expect(await store.get(jobId)).toEqual({ job, files });
      expect(await store.getFile(jobId, 'file_002')).toEqual(files[1]);
      expect(await store.get('batch_20000101_000000_zzzzzz')).toBeNull();
      expect(await store.getFile(jobId, 'file_999')).toBeNull();
      expect(await store.getFile('batch_20000101_000000_zzzzzz', 'file_001')).toBeNull();
    });

    it('hands out copies, so callers cannot change stored state by mutating results', async () => {
      const { jobId } = await seed(1);
      const got = await store.get(jobId);
      if (!got?.files[0]) throw new Error('seeded job missing');
      got.files[0].status = 'failed';
      got.job.owner = 'someone else';
      const file = await store.getFile(jobId, 'file_001');
      if (!file) throw new Error('seeded file missing');
      file.status = 'completed';
      const warnings = [{ code: 'KEPT', message: 'kept' }];
      const updated = await store.updateFile(jobId, 'file_001', { warnings });
      warnings.push({ code: 'MUTATED', message: 'mutated' });
      updated?.file.warnings.push({ code: 'MUTATED', message: 'mutated too' });
      expect(await store.getFile(jobId, 'file_001')).toMatchObject({ status: 'pending', warnings: [{ code: 'KEPT', message: 'kept' }] });
      expect((await store.get(jobId))?.job.owner).toBe('owner-hash');
    });

    it('applies a patch and never lets progress go backwards', async () => {
      const { jobId } = await seed(1);
      const first = await store.updateFile(jobId, 'file_001', { status: 'processing', progress: 40, model_task_id: 'req_1' });
      expect(first?.file).toMatchObject({ status: 'processing', progress: 40, model_task_id: 'req_1' });
      const second = await store.updateFile(jobId, 'file_001', { progress: 10 });
      expect(second?.file.progress).toBe(40);
      await store.updateFile(jobId, 'file_001', { progress: 55 });
      expect((await store.getFile(jobId, 'file_001'))?.progress).toBe(55);
    });

    it('refuses an update whose condition does not hold, leaving the file unchanged', async () => {
      const { jobId } = await seed(1);
      expect(await store.updateFile(jobId, 'file_001', { status: 'completed' }, { status: ['processing'] })).toBeNull();
      expect(await store.updateFile(jobId, 'file_001', { status: 'completed' }, { generation: 2 })).toBeNull();
      expect((await store.getFile(jobId, 'file_001'))?.status).toBe('pending');
      const ok = await store.updateFile(jobId, 'file_001', { status: 'processing' }, { status: ['pending'], generation: 1 });
      expect(ok?.file.status).toBe('processing');
    });

    it('returns null when updating an unknown job or file', async () => {
      const { jobId } = await seed(1);
      expect(await store.updateFile(jobId, 'file_404', { progress: 5 })).toBeNull();
      expect(await store.updateFile('batch_20000101_000000_zzzzzz', 'file_001', { progress: 5 })).toBeNull();
    });

    it('reports job_finished only for the update that moved the job to a terminal status', async () => {
      const { jobId } = await seed(2, { status: 'processing' });
      const a = await store.updateFile(jobId, 'file_001', { status: 'completed', progress: 100 });
      expect(a).toMatchObject({ job_status: 'processing', job_finished: false });
      const b = await store.updateFile(jobId, 'file_002', { status: 'failed', error: { code: 'FAL_API_ERROR', message: 'bad' } });
      expect(b).toMatchObject({ job_status: 'partial', job_finished: true });
      expect(b?.file.error).toEqual({ code: 'FAL_API_ERROR', message: 'bad' });
      const c = await store.updateFile(jobId, 'file_002', { warnings: [{ code: 'LATE', message: 'late' }] });
      expect(c).toMatchObject({ job_status: 'partial', job_finished: false });
    });

    it('finishes a job exactly once when its files complete concurrently', async () => {
      const { jobId } = await seed(20, { status: 'processing' });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.updateFile(jobId, `file_${String(i + 1).padStart(3, '0')}`, { status: 'completed' }, { status: ['processing'] }),
        ),
      );
      expect(results.filter((r) => r?.job_finished)).toHaveLength(1);
      const job = await store.get(jobId);
      expect(job?.files.every((f) => f.status === 'completed')).toBe(true);
    });

    it('restarts a finished file as a new generation with everything about the old result cleared', async () => {
      const { jobId } = await seed(1, { status: 'processing', model_task_id: 'req_old' });
      await store.updateFile(jobId, 'file_001', {
        status: 'completed',
        progress: 100,
        model_key: 'm',
        preview_key: 'p',
        remote_model_url: 'https://cdn/x.glb',
        warnings: [{ code: 'SYMMETRY_ASSUMED', message: 'w' }],
        shape: 'revolved',
      });
      const restarted = await store.restartFile(jobId, 'file_001', { face_limit: 500, model_task_id: 'task_new' }, { status: ['completed', 'failed'] });
      expect(restarted).toMatchObject({ job_status: 'processing', job_finished: false });
      expect(restarted?.file).toMatchObject({
        status: 'pending',
        progress: 0,
        error: null,
        model_key: null,
        preview_key: null,
        remote_model_url: null,
        warnings: [],
        shape: null,
        generation: 2,
        face_limit: 500,
        model_task_id: 'task_new',
      });
      const done = await store.updateFile(jobId, 'file_001', { status: 'failed' }, { generation: 2 });
      expect(done).toMatchObject({ job_status: 'failed', job_finished: true });
    });

    it('replaces Tripo options with a restart that gives them, and keeps them otherwise', async () => {
      const { jobId } = await seed(1, { status: 'failed', tripo_options: { texture: 'standard', seed: 1 } });
      await store.restartFile(jobId, 'file_001', { face_limit: null, model_task_id: null }, { status: ['failed'] });
      expect((await store.getFile(jobId, 'file_001'))?.tripo_options).toEqual({ texture: 'standard', seed: 1 });
      await store.updateFile(jobId, 'file_001', { status: 'failed' });
      const restarted = await store.restartFile(jobId, 'file_001', { face_limit: null, model_task_id: null, tripo_options: { texture: 'HD', seed: 1 } }, { status: ['failed'] });
      expect(restarted?.file.tripo_options).toEqual({ texture: 'HD', seed: 1 });
      expect((await store.getFile(jobId, 'file_001'))?.tripo_options).toEqual({ texture: 'HD', seed: 1 });
    });

    it("keeps a multiview file's views through reads, updates, a restart and a reopen", async () => {
      const views = { front: { filename: 'a.jpg', key: 'k/front.jpg' }, right: { filename: 'b.png', key: 'k/right.png' } };
      const { jobId } = await seed(1, { status: 'failed', image_key: 'k/front.jpg', views });
      await store.updateFile(jobId, 'file_001', { model_task_id: 'task_2' });
      await store.restartFile(jobId, 'file_001', { face_limit: null, model_task_id: null }, { status: ['failed'] });
      expect((await store.getFile(jobId, 'file_001'))?.views).toEqual(views);
      if (harness.reopen) store = await harness.reopen();
      expect((await store.get(jobId))?.files[0]?.views).toEqual(views);
    });

    it('refuses to restart a file whose condition does not hold', async () => {
      const { jobId } = await seed(1, { status: 'processing' });
      expect(await store.restartFile(jobId, 'file_001', { face_limit: null, model_task_id: null }, { status: ['completed', 'failed'] })).toBeNull();
      expect((await store.getFile(jobId, 'file_001'))?.generation).toBe(1);
    });

    it('lists jobs, unfinished files and counts by derived status', async () => {
      const active = await seed(2);
      const done = await seed(1, { status: 'completed' });
      const failed = await seed(1, { status: 'failed' });
      const partial = await seed(2, { status: 'completed' });
      await store.updateFile(partial.jobId, 'file_002', { status: 'failed' });
      await store.updateFile(active.jobId, 'file_001', { status: 'processing' });
      const ids = (await store.listJobs({ owner: 'owner-hash', statuses: [], limit: 10 })).map((j) => j.job_id).sort();
      expect(ids).toEqual([active.jobId, done.jobId, failed.jobId, partial.jobId].sort());
      const unfinished = await store.listUnfinished();
      expect(unfinished.map((u) => `${u.job_id}/${u.file.file_id}:${u.file.status}`).sort()).toEqual([
        `${active.jobId}/file_001:processing`,
        `${active.jobId}/file_002:pending`,
      ]);
      expect(await store.counts()).toEqual({ active: 1, completed: 1, failed: 1, partial: 1, cancelled: 0 });
    });

    it('derives cancelled, failed and partial with cancelled files, atomically per update', async () => {
      const cancelled = await seed(2);
      expect(await store.updateFile(cancelled.jobId, 'file_001', { status: 'cancelled' })).toMatchObject({ job_status: 'processing', job_finished: false });
      expect(await store.updateFile(cancelled.jobId, 'file_002', { status: 'cancelled' })).toMatchObject({ job_status: 'cancelled', job_finished: true });
      const failed = await seed(2, { status: 'failed' });
      expect(await store.updateFile(failed.jobId, 'file_002', { status: 'cancelled' })).toMatchObject({ job_status: 'failed', job_finished: false });
      const partial = await seed(2, { status: 'completed' });
      expect(await store.updateFile(partial.jobId, 'file_001', { status: 'cancelled' })).toMatchObject({ job_status: 'partial' });
      // A cancelled file generated again counts as unfinished, then as what it becomes.
      const restarted = await store.restartFile(cancelled.jobId, 'file_001', { face_limit: null, model_task_id: null }, { status: ['cancelled'] });
      expect(restarted).toMatchObject({ job_status: 'processing', file: { status: 'pending', generation: 2 } });
      expect(await store.updateFile(cancelled.jobId, 'file_001', { status: 'completed' })).toMatchObject({ job_status: 'partial', job_finished: true });
      expect(await store.counts()).toEqual({ active: 0, completed: 0, failed: 1, partial: 2, cancelled: 0 });
      await store.updateFile(partial.jobId, 'file_002', { status: 'cancelled' });
      expect(await store.counts()).toEqual({ active: 0, completed: 0, failed: 1, partial: 1, cancelled: 1 });
    });

    /** Jobs of one owner created at the given minutes past a fixed hour, in that order. */
    async function seedAt(owner: string, minutes: number[], overrides: Partial<JobFileRecord> = {}) {
      const jobs: JobRecord[] = [];
      for (const minute of minutes) {
        const at = new Date(Date.UTC(2024, 2, 15, 10, minute)).toISOString();
        const job = makeJobRecord({ owner, created_at: at, updated_at: at });
        await store.create(job, [makeFileRecord(0, job.job_id, overrides)]);
        jobs.push(job);
      }
      return jobs;
    }
    const ids = (positions: { job_id: string }[]) => positions.map((p) => p.job_id);

    it("lists one owner's jobs newest first, a page at a time, ties broken by job id", async () => {
      const [a, b, c, d] = await seedAt('me', [1, 2, 2, 3]);
      await seedAt('someone-else', [4]);
      const byIdDesc = [b, c].map((j) => j?.job_id as string).sort().reverse();
      const all = await store.listJobs({ owner: 'me', statuses: [], limit: 10 });
      expect(ids(all)).toEqual([d?.job_id, ...byIdDesc, a?.job_id]);
      expect(all[0]).toEqual({ created_at: d?.created_at, job_id: d?.job_id });
      const first = await store.listJobs({ owner: 'me', statuses: [], limit: 2 });
      expect(ids(first)).toEqual(ids(all).slice(0, 2));
      const rest = await store.listJobs({ owner: 'me', statuses: [], limit: 10, after: first[1] });
      expect(ids(rest)).toEqual(ids(all).slice(2));
      expect(await store.listJobs({ owner: 'nobody', statuses: [], limit: 10 })).toEqual([]);
    });

    it('filters by created_at (exclusive bounds) and by status, kept current as files change', async () => {
      const [a, b, c] = await seedAt('me', [1, 2, 3]);
      const t = (minute: number) => new Date(Date.UTC(2024, 2, 15, 10, minute)).toISOString();
      expect(ids(await store.listJobs({ owner: 'me', statuses: [], limit: 10, created_after: t(1), created_before: t(3) }))).toEqual([b?.job_id]);
      expect(ids(await store.listJobs({ owner: 'me', statuses: [], limit: 10, created_after: t(0) }))).toEqual([c?.job_id, b?.job_id, a?.job_id]);
      await store.updateFile(a?.job_id as string, 'file_001', { status: 'completed' });
      await store.updateFile(c?.job_id as string, 'file_001', { status: 'failed' });
      expect(ids(await store.listJobs({ owner: 'me', statuses: ['completed'], limit: 10 }))).toEqual([a?.job_id]);
      expect(ids(await store.listJobs({ owner: 'me', statuses: ['failed', 'completed'], limit: 10 }))).toEqual([c?.job_id, a?.job_id]);
      expect(ids(await store.listJobs({ owner: 'me', statuses: ['processing'], limit: 10 }))).toEqual([b?.job_id]);
      // Merged pages stay in order and respect the limit and the position.
      expect(ids(await store.listJobs({ owner: 'me', statuses: ['failed', 'completed'], limit: 1 }))).toEqual([c?.job_id]);
      expect(ids(await store.listJobs({ owner: 'me', statuses: ['failed', 'completed'], limit: 5, after: { created_at: t(3), job_id: c?.job_id as string } }))).toEqual([a?.job_id]);
      // A retried file makes its job processing again.
      await store.restartFile(c?.job_id as string, 'file_001', { face_limit: null, model_task_id: null }, { status: ['failed'] });
      expect(ids(await store.listJobs({ owner: 'me', statuses: ['processing'], limit: 10 }))).toEqual([c?.job_id, b?.job_id]);
      expect(await store.listJobs({ owner: 'me', statuses: ['failed'], limit: 10 })).toEqual([]);
    });

    it('lists finished jobs oldest update first, before a threshold, a batch at a time', async () => {
      const [a, b, c] = await seedAt('me', [1, 2, 3]);
      const done = async (job: JobRecord | undefined) => (await store.updateFile(job?.job_id as string, 'file_001', { status: 'completed' }))?.file.updated_at as string;
      await done(b);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await done(a);
      const all = await store.listFinished({ updated_before: '9999-01-01T00:00:00.000Z', limit: 10 });
      expect(ids(all)).toEqual([b?.job_id, a?.job_id]); // c is still processing
      expect(all[0]?.updated_at).toBe((await store.get(b?.job_id as string))?.job.updated_at);
      expect(ids(await store.listFinished({ updated_before: all[1]?.updated_at as string, limit: 10 }))).toEqual([b?.job_id]);
      expect(ids(await store.listFinished({ updated_before: '9999-01-01T00:00:00.000Z', limit: 10, after: all[0] }))).toEqual([a?.job_id]);
      expect(c).toBeDefined();
    });

    it("counts one owner's pending and processing files as they start, finish, restart and go", async () => {
      const mine = async (fileCount: number, overrides: Partial<JobFileRecord> = {}) => {
        const job = makeJobRecord({ owner: 'me' });
        await store.create(job, Array.from({ length: fileCount }, (_, i) => makeFileRecord(i, job.job_id, overrides)));
        return job.job_id;
      };
      expect(await store.activeFiles('me')).toBe(0);
      const three = await mine(3);
      const finished = await mine(2, { status: 'completed' });
      await seedAt('someone-else', [1, 2]);
      expect(await store.activeFiles('me')).toBe(3);
      expect(await store.activeFiles('someone-else')).toBe(2);
      await store.updateFile(three, 'file_001', { status: 'processing' });
      expect(await store.activeFiles('me')).toBe(3);
      await store.updateFile(three, 'file_001', { status: 'completed' });
      await store.updateFile(three, 'file_002', { status: 'cancelled' });
      expect(await store.activeFiles('me')).toBe(1);
      await store.restartFile(finished, 'file_002', { face_limit: null, model_task_id: null }, { status: ['completed'] });
      await store.restartFile(three, 'file_002', { face_limit: null, model_task_id: null }, { status: ['cancelled'] });
      expect(await store.activeFiles('me')).toBe(3);
      await store.updateFile(three, 'file_003', { status: 'failed' });
      expect(await store.activeFiles('me')).toBe(2);
      await store.delete(three);
      expect(await store.activeFiles('me')).toBe(1);
      if (harness.reopen) {
        store = await harness.reopen();
        expect(await store.activeFiles('me')).toBe(1);
      }
      expect(await store.activeFiles('someone-else')).toBe(2);
      expect(await store.activeFiles('nobody')).toBe(0);
    });

    it('makes one cursor key and keeps it', async () => {
      const key = await store.cursorKey();
      expect(key.length).toBeGreaterThanOrEqual(32);
      expect(await store.cursorKey()).toEqual(key);
      if (harness.reopen) expect(await (await harness.reopen()).cursorKey()).toEqual(key);
    });

    it("stores a job's webhook URL and replaces it, keeping it after a reopen; an unknown or deleted job is left absent", async () => {
      const job = makeJobRecord({ webhook_url: 'https://hooks.example.com/first' });
      await store.create(job, [makeFileRecord(0, job.job_id)]);
      expect((await store.get(job.job_id))?.job.webhook_url).toBe('https://hooks.example.com/first');
      expect(await store.webhookUrlOf(job.job_id)).toBe('https://hooks.example.com/first');
      expect(await store.setWebhookUrl(job.job_id, 'https://hooks.example.com/second')).toBe(true);
      expect(await store.webhookUrlOf(job.job_id)).toBe('https://hooks.example.com/second');
      const replaced = await store.get(job.job_id);
      expect(replaced?.job).toEqual({ ...job, webhook_url: 'https://hooks.example.com/second' });
      if (harness.reopen) {
        store = await harness.reopen();
        expect((await store.get(job.job_id))?.job.webhook_url).toBe('https://hooks.example.com/second');
      }
      await store.delete(job.job_id);
      expect(await store.setWebhookUrl(job.job_id, 'https://hooks.example.com/third')).toBe(false);
      expect(await store.get(job.job_id)).toBeNull();
      expect(await store.webhookUrlOf(job.job_id)).toBeNull();
      expect(await store.setWebhookUrl('batch_20000101_000000_zzzzzz', 'https://hooks.example.com/x')).toBe(false);
      const without = makeJobRecord();
      await store.create(without, [makeFileRecord(0, without.job_id)]);
      expect(await store.webhookUrlOf(without.job_id)).toBeNull();
    });

    it("moves a job's webhook cursor forward only, keeping it after a reopen; a deleted job stays deleted", async () => {
      const job = makeJobRecord();
      await store.create(job, [makeFileRecord(0, job.job_id)]);
      expect((await store.get(job.job_id))?.job.webhook_cursor).toBeUndefined();
      // Ids as each adapter's log makes them (FS: a sequence number; Redis: a stream id).
      const [older, newer] = harness.eventIds ?? ['3', '12'];
      await store.setWebhookCursor(job.job_id, newer);
      await store.setWebhookCursor(job.job_id, older);
      expect((await store.get(job.job_id))?.job.webhook_cursor).toBe(newer);
      if (harness.reopen) {
        store = await harness.reopen();
        expect((await store.get(job.job_id))?.job.webhook_cursor).toBe(newer);
      }
      await store.delete(job.job_id);
      await store.setWebhookCursor(job.job_id, `${newer}9`);
      expect(await store.get(job.job_id)).toBeNull();
    });

    it('deletes a job, and deleting an unknown one is a no-op', async () => {
      const { jobId } = await seed(1);
      await store.delete(jobId);
      expect(await store.get(jobId)).toBeNull();
      expect(await store.listJobs({ owner: 'owner-hash', statuses: [], limit: 10 })).toEqual([]);
      expect(await store.listFinished({ updated_before: '9999-01-01T00:00:00.000Z', limit: 10 })).toEqual([]);
      await expect(store.delete(jobId)).resolves.toBeUndefined();
    });

    it('keeps every state transition after the store is reopened', async (ctx) => {
      if (!harness.reopen) return ctx.skip();
      const { jobId } = await seed(2);
      await store.updateFile(jobId, 'file_001', { status: 'processing', model_task_id: 'req_9' });
      await store.updateFile(jobId, 'file_002', { status: 'failed', error: { code: 'PROCESSING_ERROR', message: 'x' } });
      await store.restartFile(jobId, 'file_002', { face_limit: 42, model_task_id: null }, { status: ['failed'] });
      const gone = await seed(1);
      await store.delete(gone.jobId);
      const before = await store.get(jobId);
      store = await harness.reopen();
      expect(await store.get(jobId)).toEqual(before);
      expect(await store.get(gone.jobId)).toBeNull();
      expect((await store.listUnfinished()).length).toBe(2);
      expect(ids(await store.listJobs({ owner: 'owner-hash', statuses: ['processing'], limit: 10 }))).toEqual([jobId]);
    });
  });
}
