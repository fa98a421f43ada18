import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileTransitions } from './file-transitions.js';
import type { JobEvent, JobEvents } from './job-events.js';
import type { JobStore } from './job-store.js';
import { makeFileRecord, makeJobRecord } from './job-store.contract.js';

export interface FileTransitionsHarness {
  transitions: FileTransitions;
  store: JobStore;
  events: JobEvents;
  cleanup(): Promise<void>;
}

/** Events without ids, for comparing sequences. */
function shapes(events: JobEvent[]) {
  return events.map(({ id: _id, ...rest }) => rest);
}

/** The behaviour every FileTransitions adapter must have; run it against each one. */
export function describeFileTransitionsContract(name: string, factory: () => Promise<FileTransitionsHarness>): void {
  describe(`FileTransitions contract: ${name}`, () => {
    let h: FileTransitionsHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    async function createJob(files: number, overrides: Parameters<typeof makeFileRecord>[2] = {}) {
      const job = makeJobRecord();
      await h.store.create(job, Array.from({ length: files }, (_, i) => makeFileRecord(i, job.job_id, overrides)));
      return job.job_id;
    }
    const processing = { generation: 1, status: ['processing'] as const };

    it('picks a file up with its stored progress announced, and refuses stale tasks without a word', async () => {
      const id = await createJob(1, { progress: 40 });
      const marked = await h.transitions.pickUp(id, 'file_001', 1);
      expect(marked?.file).toMatchObject({ status: 'processing', progress: 40 });
      expect(await h.transitions.pickUp(id, 'file_001', 2)).toBeNull();
      expect(await h.transitions.pickUp(id, 'file_404', 1)).toBeNull();
      await h.transitions.finish(id, 'file_001', { status: 'completed' }, processing, { type: 'completed', warnings: [], shape: null });
      expect(await h.transitions.pickUp(id, 'file_001', 1)).toBeNull();
      const log = shapes(await h.events.since(id, null));
      expect(log.filter((e) => e.type === 'progress')).toEqual([{ type: 'progress', job_id: id, file_id: 'file_001', progress: 40 }]);
    });

    it('announces progress only above what was announced, and never stores it lower', async () => {
      const id = await createJob(1);
      await h.transitions.pickUp(id, 'file_001', 1);
      expect((await h.transitions.progress(id, 'file_001', 30, processing, 0))?.file.progress).toBe(30);
      expect((await h.transitions.progress(id, 'file_001', 20, processing, 30))?.file.progress).toBe(30);
      await h.transitions.progress(id, 'file_001', 30, processing, 30);
      await h.transitions.progress(id, 'file_001', 55, processing, 30);
      expect(await h.transitions.progress(id, 'file_001', 60, { generation: 2 }, 55)).toBeNull();
      const progress = (await h.events.since(id, null)).map((e) => (e.type === 'progress' ? e.progress : e.type));
      expect(progress).toEqual([0, 30, 55]);
      expect((await h.store.getFile(id, 'file_001'))?.progress).toBe(55);
    });

    it('ends each file with its final event and the job with one done after them', async () => {
      const id = await createJob(2);
      await h.transitions.pickUp(id, 'file_001', 1);
      await h.transitions.pickUp(id, 'file_002', 1);
      const made = { warnings: [{ code: 'SYMMETRY_ASSUMED', message: 'made it round' }], shape: 'revolved' as const };
      const first = await h.transitions.finish(id, 'file_001', { status: 'completed', progress: 100, ...made }, processing, { type: 'completed', ...made });
      expect(first).toMatchObject({ job_status: 'processing', job_finished: false });
      const error = { code: 'PROCESSING_ERROR', message: 'no' };
      const last = await h.transitions.finish(id, 'file_002', { status: 'failed', error }, processing, { type: 'failed', error });
      expect(last).toMatchObject({ job_status: 'partial', job_finished: true });
      expect(await h.transitions.finish(id, 'file_002', { status: 'failed', error }, processing, { type: 'failed', error })).toBeNull();
      expect(shapes(await h.events.since(id, null)).slice(2)).toEqual([
        { type: 'completed', job_id: id, file_id: 'file_001', ...made },
        { type: 'failed', job_id: id, file_id: 'file_002', error },
        { type: 'done', job_id: id, status: 'partial' },
      ]);
    });

    it('sends done once, after every final event, when a batch finishes all at once', async () => {
      const id = await createJob(8);
      const fileIds = Array.from({ length: 8 }, (_, i) => `file_00${i + 1}`);
      await Promise.all(fileIds.map((fileId) => h.transitions.pickUp(id, fileId, 1)));
      await Promise.all(fileIds.map((fileId) => h.transitions.finish(id, fileId, { status: 'completed' }, processing, { type: 'completed', warnings: [], shape: null })));
      const log = await h.events.since(id, null);
      expect(log.filter((e) => e.type === 'done')).toHaveLength(1);
      expect(log.at(-1)).toMatchObject({ type: 'done', status: 'completed' });
      expect(log.filter((e) => e.type === 'completed').map((e) => ('file_id' in e ? e.file_id : '')).sort()).toEqual(fileIds);
    });
  });
}
