import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeJobStoreContract, makeFileRecord, makeJobRecord } from '../../jobs/job-store.contract.js';
import Database from 'better-sqlite3';
import { FsJobStore, JOB_INDEX_FILE } from './job-store.fs.js';

async function tempRoot(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'i2m-store-'));
}

describeJobStoreContract('FsJobStore', async () => {
  const root = await tempRoot();
  let current = await FsJobStore.open({ root });
  return {
    store: current,
    async reopen() {
      await current.close();
      current = await FsJobStore.open({ root });
      return current;
    },
    async cleanup() {
      await current.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

describe('FsJobStore on disk', () => {
  const roots: string[] = [];
  afterEach(async () => {
    await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
  });
  async function open() {
    const root = await tempRoot();
    roots.push(root);
    return { root, store: await FsJobStore.open({ root }) };
  }

  it('persists a job as jobs/<job_id>/job.json and leaves no temp files behind', async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id)]);
    await store.updateFile(job.job_id, 'file_001', { status: 'processing' });
    const dir = path.join(root, 'jobs', job.job_id);
    expect(await readdir(dir)).toEqual(['job.json']);
    const saved = JSON.parse(await readFile(path.join(dir, 'job.json'), 'utf8')) as { files: { status: string }[] };
    expect(saved.files[0]?.status).toBe('processing');
    await store.close();
  });

  it('has the newest state on disk after a burst of concurrent updates', async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    const files = Array.from({ length: 10 }, (_, i) => makeFileRecord(i, job.job_id, { status: 'processing' }));
    await store.create(job, files);
    await Promise.all(files.map((f, i) => store.updateFile(job.job_id, f.file_id, { status: i % 2 ? 'completed' : 'failed' })));
    const expected = await store.get(job.job_id);
    // No close(): status changes are on disk once their promise resolves.
    const reopened = await FsJobStore.open({ root });
    expect(await reopened.get(job.job_id)).toEqual(expected);
  });

  it('writes lazy updates in the background but has them on disk after close', async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'processing' })]);
    for (let p = 1; p <= 30; p++) void store.updateFile(job.job_id, 'file_001', { progress: p }, undefined, { durability: 'lazy' });
    await store.close();
    const reopened = await FsJobStore.open({ root });
    expect((await reopened.getFile(job.job_id, 'file_001'))?.progress).toBe(30);
  });

  it('applies an update with a precondition at once, and has it on disk only once the precondition holds', async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'processing' })]);
    let synced = (): void => undefined;
    const updating = store.updateFile(job.job_id, 'file_001', { status: 'completed' }, undefined, { after: new Promise<void>((resolve) => (synced = resolve)) });
    expect((await store.getFile(job.job_id, 'file_001'))?.status).toBe('completed');
    await new Promise((resolve) => setTimeout(resolve, 30)); // time enough to write job.json
    const onDisk = async () => {
      const saved = JSON.parse(await readFile(path.join(root, 'jobs', job.job_id, 'job.json'), 'utf8')) as { files: { status: string }[] };
      return saved.files[0]?.status;
    };
    expect(await onDisk()).toBe('processing');
    synced();
    await updating;
    expect(await onDisk()).toBe('completed');
  });

  it('undoes an update whose precondition fails, in memory and on disk, and rejects with its error', async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'processing' }), makeFileRecord(1, job.job_id, { status: 'processing' })]);
    const failing = new Promise((_, reject) => setTimeout(() => reject(new Error('fsync failed')), 10));
    await expect(store.updateFile(job.job_id, 'file_001', { status: 'completed' }, undefined, { after: failing })).rejects.toThrow('fsync failed');
    expect((await store.getFile(job.job_id, 'file_001'))?.status).toBe('processing');
    await store.updateFile(job.job_id, 'file_002', { status: 'completed' });
    const reopened = await FsJobStore.open({ root });
    expect((await reopened.get(job.job_id))?.files.map((f) => f.status)).toEqual(['processing', 'completed']);
  });

  /** A file marked completed in memory whose mark waits for `synced` (its model's fsync) before it is written. */
  async function markedUnsynced() {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'processing' })]);
    let sync = (): void => undefined;
    let failSync = (_error: Error): void => undefined;
    const synced = new Promise<void>((resolve, reject) => {
      sync = resolve;
      failSync = reject;
    });
    const marking = store.updateFile(job.job_id, 'file_001', { status: 'completed' }, undefined, { after: synced });
    // Readers see the mark at once, though it may still be undone.
    expect((await store.getFile(job.job_id, 'file_001'))?.status).toBe('completed');
    const restarting = store.restartFile(job.job_id, 'file_001', { face_limit: null, model_task_id: null }, { status: ['completed', 'failed'] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The restart waits for the mark: it must not build on a change that may yet be undone.
    expect(await store.getFile(job.job_id, 'file_001')).toMatchObject({ status: 'completed', generation: 1 });
    return { root, store, jobId: job.job_id, sync, failSync, marking, restarting };
  }

  it('does not restart a file on a final mark that is undone while the restart waits for it, in memory or on disk', async () => {
    const { root, store, jobId, failSync, marking, restarting } = await markedUnsynced();
    failSync(new Error('fsync failed'));
    await expect(marking).rejects.toThrow('fsync failed');
    expect(await restarting).toBeNull(); // the file is processing again: generate-single answers 409
    expect(await store.getFile(jobId, 'file_001')).toMatchObject({ status: 'processing', generation: 1 });
    await store.close();
    expect((await (await FsJobStore.open({ root })).getFile(jobId, 'file_001'))?.status).toBe('processing');
  });

  it('restarts a file once the final mark it waited for is written', async () => {
    const { store, jobId, sync, marking, restarting } = await markedUnsynced();
    sync();
    await marking;
    expect((await restarting)?.file).toMatchObject({ status: 'pending', generation: 2 });
    expect(await store.getFile(jobId, 'file_001')).toMatchObject({ status: 'pending', generation: 2 });
  });

  /** job.json cannot be written while the job's directory is a plain file (ENOTDIR, like a full disk's ENOSPC). */
  async function blockJobDir(root: string, jobId: string): Promise<() => Promise<void>> {
    const dir = path.join(root, 'jobs', jobId);
    const saved = await readFile(path.join(dir, 'job.json')).catch(() => null);
    await rm(dir, { recursive: true, force: true });
    await mkdirp(root, 'jobs');
    await writeFile(dir, '');
    return async () => {
      await rm(dir);
      await mkdirp(dir);
      if (saved) await writeFile(path.join(dir, 'job.json'), saved);
    };
  }

  it('forgets a job whose job.json could not be written, so it is neither listed nor counted', async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    const unblock = await blockJobDir(root, job.job_id);
    await expect(store.create(job, [makeFileRecord(0, job.job_id)])).rejects.toThrow();
    expect(await store.get(job.job_id)).toBeNull();
    expect(await store.listJobs({ owner: job.owner, statuses: [], limit: 10 })).toEqual([]);
    expect(await store.counts()).toEqual({ active: 0, completed: 0, failed: 0, partial: 0, cancelled: 0 });
    expect(await store.listUnfinished()).toEqual([]);
    await unblock();
    await store.create(job, [makeFileRecord(0, job.job_id)]); // the same id is free again
    expect((await store.get(job.job_id))?.files).toHaveLength(1);
  });

  it('leaves a file as it was when its restart could not be written, in memory and on disk', async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'completed', model_key: 'jobs/x/models/file_001.glb' })]);
    const before = await store.getFile(job.job_id, 'file_001');
    const unblock = await blockJobDir(root, job.job_id);
    const restart = store.restartFile(job.job_id, 'file_001', { face_limit: 500, model_task_id: null }, { status: ['completed', 'failed'] });
    await expect(restart).rejects.toThrow();
    expect(await store.getFile(job.job_id, 'file_001')).toEqual(before);
    expect(await store.counts()).toMatchObject({ active: 0, completed: 1 });
    await unblock();
    // A later write holds the file as it was, and the restart can be tried again.
    const retried = await store.restartFile(job.job_id, 'file_001', { face_limit: 500, model_task_id: null }, { status: ['completed', 'failed'] });
    expect(retried?.file).toMatchObject({ status: 'pending', generation: (before?.generation ?? 0) + 1 });
  });

  it('undoes a durable update that could not be written, and keeps a lazy one', async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'processing' })]);
    const unblock = await blockJobDir(root, job.job_id);
    await expect(store.updateFile(job.job_id, 'file_001', { status: 'completed' })).rejects.toThrow();
    expect((await store.getFile(job.job_id, 'file_001'))?.status).toBe('processing');
    // A lazy update is one a caller chose to keep whether or not it is written yet.
    await store.updateFile(job.job_id, 'file_001', { status: 'failed' }, undefined, { durability: 'lazy' });
    expect((await store.getFile(job.job_id, 'file_001'))?.status).toBe('failed');
    await unblock();
    await store.close();
  });

  it('ignores the temp file of an interrupted write and keeps the last complete state', async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id)]);
    await store.close();
    const dir = path.join(root, 'jobs', job.job_id);
    await writeFile(path.join(dir, '.job.json.abc123.tmp'), '{"version":1,"job":{"job_id":"torn');
    const reopened = await FsJobStore.open({ root });
    expect((await reopened.get(job.job_id))?.job).toEqual(job);
    expect(await readdir(dir)).toEqual(['job.json']);
  });

  it('reads a job.json written before warnings had codes: string warnings become GENERATOR_NOTICE, no shape is null', async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'completed' })]);
    await store.close();
    const file = path.join(root, 'jobs', job.job_id, 'job.json');
    const stored = JSON.parse(await readFile(file, 'utf8')) as { files: Record<string, unknown>[] };
    stored.files[0]!.warnings = ['face_limit 4 is too small for this shape; made a simple low-poly model'];
    delete stored.files[0]!.shape;
    await writeFile(file, JSON.stringify(stored));
    const reopened = await FsJobStore.open({ root });
    expect(await reopened.getFile(job.job_id, 'file_001')).toMatchObject({
      warnings: [{ code: 'GENERATOR_NOTICE', message: 'face_limit 4 is too small for this shape; made a simple low-poly model' }],
      shape: null,
    });
    await reopened.close();
  });

  it('skips an unreadable job.json and a directory without one', async () => {
    const root = await tempRoot();
    roots.push(root);
    await writeFile(path.join(await mkdirp(root, 'jobs', 'batch_20240101_000000_broken'), 'job.json'), 'not json');
    await mkdirp(root, 'jobs', 'batch_20240101_000000_nojson');
    const store = await FsJobStore.open({ root });
    expect(await store.counts()).toEqual({ active: 0, completed: 0, failed: 0, partial: 0, cancelled: 0 });
    expect(await store.get('batch_20240101_000000_broken')).toBeNull();
    await store.close();
  });

  it('keeps only the most recently used jobs in memory and reads the others from job.json', async () => {
    const root = await tempRoot();
    roots.push(root);
    const store = await FsJobStore.open({ root, cacheSize: 2 });
    const jobs = [makeJobRecord(), makeJobRecord(), makeJobRecord()];
    for (const job of jobs) await store.create(job, [makeFileRecord(0, job.job_id)]);
    await new Promise((resolve) => setImmediate(resolve)); // eviction runs in a macrotask of its own
    // Changed behind the store's back: only a job no longer in memory shows it.
    const file = (job: (typeof jobs)[number]) => path.join(root, 'jobs', job.job_id, 'job.json');
    for (const job of jobs) {
      const saved = JSON.parse(await readFile(file(job), 'utf8')) as { files: { filename: string }[] };
      (saved.files[0] as { filename: string }).filename = 'edited.png';
      await writeFile(file(job), JSON.stringify(saved));
    }
    expect((await store.getFile(jobs[0]?.job_id as string, 'file_001'))?.filename).toBe('edited.png');
    expect((await store.getFile(jobs[2]?.job_id as string, 'file_001'))?.filename).toBe('photo 1.png');
    // An update of a job read back from disk is written as usual.
    await store.updateFile(jobs[0]?.job_id as string, 'file_001', { status: 'completed' });
    expect(await store.listJobs({ owner: 'owner-hash', statuses: ['completed'], limit: 10 })).toEqual([{ created_at: jobs[0]?.created_at, job_id: jobs[0]?.job_id }]);
    await store.close();
  });

  it("corrects at start the index rows the previous run wrote ahead of its job.json (a crash before the write landed)", async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'processing' })]);
    const written = await readFile(path.join(root, 'jobs', job.job_id, 'job.json'), 'utf8');
    await store.updateFile(job.job_id, 'file_001', { status: 'completed' });
    const gone = makeJobRecord();
    await store.create(gone, [makeFileRecord(0, gone.job_id)]);
    await store.close();
    // What a kill -9 leaves: the index has both changes, the disk neither the final mark nor the second job.
    await writeFile(path.join(root, 'jobs', job.job_id, 'job.json'), written);
    await rm(path.join(root, 'jobs', gone.job_id), { recursive: true });
    const reopened = await FsJobStore.open({ root });
    expect(await reopened.listJobs({ owner: job.owner, statuses: ['completed'], limit: 10 })).toEqual([]);
    expect(await reopened.listJobs({ owner: job.owner, statuses: ['processing'], limit: 10 })).toEqual([{ created_at: job.created_at, job_id: job.job_id }]);
    expect((await reopened.listUnfinished()).map((u) => u.job_id)).toEqual([job.job_id]);
    expect(await reopened.get(gone.job_id)).toBeNull();
    expect(await reopened.counts()).toEqual({ active: 1, completed: 0, failed: 0, partial: 0, cancelled: 0 });
    await reopened.close();
  });

  it("counts the active files of an index made before rows carried them, once, at start", async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'processing' }), makeFileRecord(1, job.job_id), makeFileRecord(2, job.job_id, { status: 'completed' })]);
    await store.close();
    await (await FsJobStore.open({ root })).close(); // this start checks the rows the first run wrote: the next does not read them
    // The index as an older version left it: no active_files column, never counted.
    const db = new Database(path.join(root, JOB_INDEX_FILE));
    db.exec("ALTER TABLE jobs DROP COLUMN active_files; DELETE FROM meta WHERE key = 'active_files_counted'");
    db.close();
    const reopened = await FsJobStore.open({ root });
    expect(await reopened.activeFiles(job.owner)).toBe(2);
    await reopened.close();
  });

  it('refuses a job id that is not a single safe path segment', async () => {
    const { store } = await open();
    const job = makeJobRecord({ job_id: '../escape' });
    await expect(store.create(job, [])).rejects.toThrow(/Invalid job id/);
  });

  it('does not let a write still in flight bring a deleted job back', async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'processing' })]);
    void store.updateFile(job.job_id, 'file_001', { progress: 10 }, undefined, { durability: 'lazy' }); // written in the background
    await new Promise((resolve) => setImmediate(resolve));
    await store.delete(job.job_id);
    await store.close();
    expect(await (await FsJobStore.open({ root })).get(job.job_id)).toBeNull();
  });

  it('removes job.json on delete but leaves other files of the job directory alone', async () => {
    const { root, store } = await open();
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id)]);
    const dir = path.join(root, 'jobs', job.job_id);
    await writeFile(path.join(dir, 'events.jsonl'), '');
    await store.delete(job.job_id);
    expect(await readdir(dir)).toEqual(['events.jsonl']);
    expect(await (await FsJobStore.open({ root })).get(job.job_id)).toBeNull();
  });
});

async function mkdirp(...parts: string[]): Promise<string> {
  const dir = path.join(...parts);
  await mkdir(dir, { recursive: true });
  return dir;
}
