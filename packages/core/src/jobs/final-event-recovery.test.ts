import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FsJobEvents } from '../adapters/fs/job-events.fs.js';
import { FsJobStore } from '../adapters/fs/job-store.fs.js';
import { eventsUntilDone } from '../testing/service-harness.js';
import type { JobEventPayload } from './job-events.js';
import { makeFileRecord, makeJobRecord } from './job-store.contract.js';

const FAILURE = { code: 'FAL_API_ERROR', message: 'Rejected by FAL' };

describe('final events a crash lost (embedded mode)', () => {
  const roots: string[] = [];
  afterEach(async () => {
    await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
  });

  /**
   * A job of `statuses.length` files left as a kill -9 leaves it: each file's status durable in
   * job.json, but only `logged` in events.jsonl.
   */
  async function crashedJob(statuses: ('processing' | 'completed' | 'failed')[], logged: (jobId: string) => JobEventPayload[]) {
    const root = await mkdtemp(path.join(os.tmpdir(), 'i2m-recovery-'));
    roots.push(root);
    const store = await FsJobStore.open({ root });
    const events = new FsJobEvents({ root });
    const job = makeJobRecord();
    await store.create(job, statuses.map((_, i) => makeFileRecord(i, job.job_id, { status: 'processing' })));
    for (const payload of logged(job.job_id)) await events.append(job.job_id, payload);
    for (const [i, status] of statuses.entries()) {
      const fileId = `file_${String(i + 1).padStart(3, '0')}`;
      if (status !== 'processing') await store.updateFile(job.job_id, fileId, status === 'failed' ? { status, error: FAILURE } : { status, warnings: [CARD], shape: 'card' });
    }
    await store.close();
    await events.close();
    const logFile = path.join(root, 'jobs', job.job_id, 'events.jsonl');
    return { root, jobId: job.job_id, lines: async () => (await readFile(logFile, 'utf8')).trimEnd().split('\n') };
  }

  const progress = (job_id: string, file_id: string): JobEventPayload => ({ type: 'progress', job_id, file_id, progress: 0 });
  const completed = (job_id: string, file_id: string): JobEventPayload => ({ type: 'completed', job_id, file_id });
  const CARD = { code: 'BACKGROUND_NOT_SEPARATED', message: 'made a flat card of the whole photo' };
  // As versions before ids-only events wrote it: with the model's download path.
  const legacyCompleted = (job_id: string, file_id: string) => ({ ...completed(job_id, file_id), model_url: `/api/v1/download/${job_id}/${file_id}/model` });

  it("appends the last file's completed and the job's done at start-up, once; a second start adds nothing", async () => {
    const { root, jobId, lines } = await crashedJob(['completed', 'completed'], (id) => [progress(id, 'file_001'), progress(id, 'file_002'), completed(id, 'file_001')]);
    await FsJobStore.open({ root });
    const events = new FsJobEvents({ root });
    const trail = await eventsUntilDone(events, jobId);
    expect(trail.map((e) => `${e.type}:${'file_id' in e ? e.file_id : e.status}`)).toEqual([
      'progress:file_001',
      'progress:file_002',
      'completed:file_001',
      'completed:file_002',
      'done:completed',
    ]);
    // The recovered event says what the stored file says: how the model was made.
    expect(trail.at(-2)).toEqual({ ...completed(jobId, 'file_002'), id: trail.at(-2)?.id, warnings: [CARD], shape: 'card' });
    const after = await lines();
    await FsJobStore.open({ root });
    expect(await lines()).toEqual(after);
  });

  it("announces a failed file with its stored error, and only done when every file's final event made it", async () => {
    const failedRun = await crashedJob(['completed', 'failed'], (id) => [progress(id, 'file_001'), progress(id, 'file_002'), completed(id, 'file_001')]);
    await FsJobStore.open({ root: failedRun.root });
    const trail = await new FsJobEvents({ root: failedRun.root }).since(failedRun.jobId, null);
    expect(trail.slice(-2)).toMatchObject([
      { type: 'failed', file_id: 'file_002', error: FAILURE },
      { type: 'done', status: 'partial' },
    ]);

    const doneLost = await crashedJob(['completed'], (id) => [progress(id, 'file_001'), legacyCompleted(id, 'file_001')]);
    await FsJobStore.open({ root: doneLost.root });
    expect((await new FsJobEvents({ root: doneLost.root }).since(doneLost.jobId, null)).map((e) => e.type)).toEqual(['progress', 'completed', 'done']);
  });

  it("appends a finished file's event, but nothing for a file still processing (it is resumed) and no done for its job", async () => {
    const { root, jobId, lines } = await crashedJob(['completed', 'processing'], (id) => [progress(id, 'file_001'), progress(id, 'file_002')]);
    await FsJobStore.open({ root });
    expect((await new FsJobEvents({ root }).since(jobId, null)).map((e) => e.type)).toEqual(['progress', 'progress', 'completed']);
    expect(await lines()).toHaveLength(3);
  });

  it('ignores log lines after a final event (a timed-out generation still running), so nothing is announced twice', async () => {
    const log = (job_id: string): JobEventPayload => ({ type: 'log', job_id, file_id: 'file_001', message: 'still working' });
    const failed = (job_id: string): JobEventPayload => ({ type: 'failed', job_id, file_id: 'file_001', error: FAILURE });
    const announced = await crashedJob(['failed'], (id) => [progress(id, 'file_001'), failed(id), { type: 'done', job_id: id, status: 'failed' }, log(id)]);
    const before = await announced.lines();
    await FsJobStore.open({ root: announced.root });
    expect(await announced.lines()).toEqual(before);

    const doneLost = await crashedJob(['failed'], (id) => [progress(id, 'file_001'), failed(id), log(id)]);
    await FsJobStore.open({ root: doneLost.root });
    expect((await new FsJobEvents({ root: doneLost.root }).since(doneLost.jobId, null)).map((e) => e.type)).toEqual(['progress', 'failed', 'log', 'done']);
  });

  it("publishes what it cannot store (a full disk at start) in the service's own event log, whose replay keeps it", async () => {
    const { root, jobId } = await crashedJob(['completed'], (id) => [progress(id, 'file_001')]);
    const events = new FsJobEvents({ root });
    await events.since(jobId, null); // the log is read; from now on no event fits on the disk
    const logFile = path.join(root, 'jobs', jobId, 'events.jsonl');
    await rm(logFile);
    await mkdir(path.join(logFile, 'occupied'), { recursive: true });
    await FsJobStore.open({ root, events });
    const replay = await events.since(jobId, null);
    expect(replay.map((e) => `${e.type}:${e.id}`)).toEqual(['progress:1', 'completed:1.1', 'done:1.2']);
    await events.close();
  });

  it('adds nothing to a job whose log already ends with its outcome', async () => {
    const { root, lines } = await crashedJob(['completed'], (id) => [progress(id, 'file_001'), completed(id, 'file_001'), { type: 'done', job_id: id, status: 'completed' }]);
    const before = await lines();
    await FsJobStore.open({ root });
    expect(await lines()).toEqual(before);
  });
});
