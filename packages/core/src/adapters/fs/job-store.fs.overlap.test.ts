import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { makeFileRecord, makeJobRecord } from '../../jobs/job-store.contract.js';
import { FsJobStore } from './job-store.fs.js';

/** One job.json write: its snapshot, held until the test lets it be written or fail. */
interface HeldWrite {
  body: string;
  write(): void;
  fail(error: Error): void;
}

const held: HeldWrite[] = [];
/** What job.json holds: the body of the snapshot put in place last. */
let onDisk: string | null = null;
/** Writes are no longer held. */
let passThrough = false;

// Every job.json write waits for the test, so two overlapping writes can be made to end either way.
vi.mock('./atomic-file.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./atomic-file.js')>()),
  prepareFileAtomic: (_target: string, body: string) =>
    new Promise((resolve, reject) => {
      held.push({
        body,
        write: () => resolve({ commit: async () => void (onDisk = body), discard: async () => undefined }),
        fail: reject,
      });
      if (passThrough) held.at(-1)?.write();
    }),
}));

const roots: string[] = [];
afterEach(async () => {
  held.splice(0);
  onDisk = null;
  passThrough = false;
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
});

/** The write that was started `index`-th, once it has started. */
async function write(index: number): Promise<HeldWrite> {
  await vi.waitFor(() => expect(held.length).toBeGreaterThan(index));
  return held[index] as HeldWrite;
}

const ENOSPC = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

it('does not leave on disk a change it undid because its write failed, although an overlapping later write held it', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'i2m-overlap-'));
  roots.push(root);
  const store = await FsJobStore.open({ root });
  const job = makeJobRecord();
  const creating = store.create(job, [0, 1].map((i) => makeFileRecord(i, job.job_id, { status: 'processing' })));
  (await write(0)).write();
  await creating;

  const first = store.updateFile(job.job_id, 'file_002', { progress: 10 }); // write 1
  await write(1);
  const marking = store.updateFile(job.job_id, 'file_001', { status: 'completed' }); // write 2 overlaps write 1
  await write(2);
  const raising = store.updateFile(job.job_id, 'file_002', { progress: 20 }); // waits: two writes already run
  (await write(1)).write();
  await first;
  const carrier = await write(3); // started as write 1 ended: its snapshot holds the completed mark
  expect(JSON.parse(carrier.body)).toMatchObject({ files: [{ status: 'completed' }, {}] });
  (await write(2)).fail(ENOSPC);
  await expect(marking).rejects.toThrow('ENOSPC');
  expect((await store.getFile(job.job_id, 'file_001'))?.status).toBe('processing');
  carrier.write();
  await raising;
  // Every write from now on goes through.
  passThrough = true;
  for (const later of held.slice(4)) later.write();
  await store.close();
  // The caller was told the mark failed (generate-single: 507) and memory dropped it: so must job.json.
  expect(JSON.parse(onDisk ?? '{}')).toMatchObject({ files: [{ status: 'processing' }, { progress: 20 }] });
});
