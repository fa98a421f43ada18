import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '../testing/fake-model-provider.js';
import { createServiceHarness, eventsUntilDone, OWNER, type ServiceInstance } from '../testing/service-harness.js';

type Harness = Awaited<ReturnType<typeof createServiceHarness>>;

const STORAGE_FULL = {
  code: 'INSUFFICIENT_STORAGE',
  message: 'The server ran out of storage space while saving the model: retry this file once space is freed',
};

/** Every model write fails as on a full disk. */
function fillModelDisk(instance: ServiceInstance): void {
  instance.storage.writeUnsynced = () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
}

/** `name` in the job's directory cannot be written any more: it is now a directory (EISDIR). */
async function block(h: Harness, jobId: string, name: string): Promise<void> {
  const target = path.join(h.root, 'jobs', jobId, name);
  await rm(target, { force: true });
  await mkdir(path.join(target, 'occupied'), { recursive: true });
}

describe('a generation on a full disk', () => {
  let h: Harness;
  let provider: FakeModelProvider;
  beforeEach(async () => {
    h = await createServiceHarness();
    provider = new FakeModelProvider();
  });
  afterEach(async () => {
    provider.release();
    await h.cleanup();
  });

  /** Starts one file's generation and holds it until `fill` has made the disk full. */
  async function generateOnto(fill: (instance: ServiceInstance, jobId: string) => Promise<void>) {
    const instance = await h.start({ provider, concurrency: 1 });
    provider.hold();
    const { job } = await h.upload(instance.service, ['chair.png']);
    await provider.waitForCalls(1);
    await fill(instance, job.job_id);
    provider.release();
    const trail = await eventsUntilDone(instance.events, job.job_id);
    const { files } = await instance.service.getJob(job.job_id, { owner: OWNER, session_id: null });
    return { instance, trail, file: files[0] };
  }

  it('fails the file with INSUFFICIENT_STORAGE, saying what to do, and ends the stream with failed and done', async () => {
    const { trail, file } = await generateOnto(async (instance) => fillModelDisk(instance));
    expect(file).toMatchObject({ status: 'failed', error: STORAGE_FULL, model_key: null });
    expect(trail.slice(-2)).toMatchObject([
      { type: 'failed', file_id: 'file_001', error: STORAGE_FULL },
      { type: 'done', status: 'failed' },
    ]);
  });

  it('still fails the file and tells followers when neither job.json nor the event log can be written', async () => {
    const { instance, trail, file } = await generateOnto(async (running, jobId) => {
      fillModelDisk(running);
      await block(h, jobId, 'job.json');
      await block(h, jobId, 'events.jsonl');
    });
    // Kept in memory although not durable: a job left processing with no task running would be stuck.
    expect(file).toMatchObject({ status: 'failed', error: STORAGE_FULL });
    expect(trail.slice(-2)).toMatchObject([{ type: 'failed', error: STORAGE_FULL }, { type: 'done', status: 'failed' }]);
    // Published without being stored: ids that say so (see FsJobEvents), in order.
    const [failed, done] = trail.slice(-2).map((e) => e.id);
    expect(failed).toMatch(/^\d+\.\d+$/);
    expect(instance.events.compareIds(failed ?? '', done ?? '')).toBeLessThan(0);
  });

  it('undoes a completed mark whose job.json cannot be written, and fails the file instead of leaving it unannounced', async () => {
    const { trail, file } = await generateOnto((_instance, jobId) => block(h, jobId, 'job.json'));
    expect(file).toMatchObject({ status: 'failed', error: { code: 'PROCESSING_ERROR' } });
    expect(trail.map((e) => e.type)).not.toContain('completed');
    expect(trail.slice(-2).map((e) => e.type)).toEqual(['failed', 'done']);
  });
});
