import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { FakeModelProvider } from '../testing/fake-model-provider.js';
import { createServiceHarness, eventsUntilDone, OWNER } from '../testing/service-harness.js';
import { UNQUEUED_ERROR } from './create-job-service.js';
import type { JobQueue } from './job-queue.js';
import type { JobStore } from './job-store.js';

const access = { owner: OWNER, session_id: null };
const unavailable = () => new AppError('SERVICE_UNAVAILABLE', 'The job store (Redis) is unavailable; try again shortly', { retryable: true });

/** The real queue, except that its next `failures` enqueues throw as a lost connection would. */
function failingEnqueue(failures: number) {
  let left = failures;
  return (queue: JobQueue): JobQueue =>
    Object.assign(Object.create(queue) as JobQueue, {
      async enqueue(tasks: Parameters<JobQueue['enqueue']>[0]) {
        if (left > 0) {
          left -= 1;
          throw unavailable();
        }
        return queue.enqueue(tasks);
      },
    });
}

describe('work whose queueing or recording failed is never left stranded (embedded adapters)', () => {
  let h: Awaited<ReturnType<typeof createServiceHarness>>;
  beforeEach(async () => {
    h = await createServiceHarness();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('an upload whose files cannot be queued leaves no job behind: no record, no events, no photos', async () => {
    const { service, store } = await h.start({ wrapQueue: failingEnqueue(1) });
    await expect(h.upload(service, ['a.png', 'b.png'])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(await store.listJobs({ owner: OWNER, statuses: [], limit: 10 })).toEqual([]);
    expect(await store.counts()).toEqual({ active: 0, completed: 0, failed: 0, partial: 0, cancelled: 0 });
    expect(await readdir(path.join(h.root, 'jobs')).catch(() => [])).toEqual([]);
    // The next upload goes through.
    const { job } = await h.upload(service, ['c.png']);
    expect((await store.listJobs({ owner: OWNER, statuses: [], limit: 10 })).map((j) => j.job_id)).toEqual([job.job_id]);
  });

  it('a generate-single that cannot be queued fails the file (with its event) instead of leaving it pending behind 409s', async () => {
    const wrap = failingEnqueue(0);
    let failNext = false;
    const { service, events } = await h.start({
      wrapQueue: (queue) => {
        const inner = wrap(queue);
        return Object.assign(Object.create(inner) as JobQueue, {
          async enqueue(tasks: Parameters<JobQueue['enqueue']>[0]) {
            if (failNext) {
              failNext = false;
              throw unavailable();
            }
            return inner.enqueue(tasks);
          },
        });
      },
    });
    const { job } = await h.upload(service, ['a.png']);
    const first = await eventsUntilDone(events, job.job_id);
    failNext = true;
    await expect(service.generateSingle({ job_id: job.job_id, file_id: 'file_001' }, access)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    const after = (await service.getJob(job.job_id, access)).files[0];
    expect(after).toMatchObject({ status: 'failed', generation: 2, error: UNQUEUED_ERROR });
    const trail = await eventsUntilDone(events, job.job_id, first.at(-1)?.id ?? null);
    expect(trail.slice(-2)).toMatchObject([
      { type: 'failed', file_id: 'file_001', error: UNQUEUED_ERROR },
      { type: 'done', status: 'failed' },
    ]);
    // Retrying works at once: no 409.
    await service.generateSingle({ job_id: job.job_id, file_id: 'file_001' }, access);
    const again = await eventsUntilDone(events, job.job_id, trail.at(-1)?.id ?? null);
    expect(again.at(-1)).toMatchObject({ type: 'done', status: 'completed' });
  });

  it('an error that escapes processing after the pick-up fails the file with its failed event and done', async () => {
    // The completed mark, then both ways processTask tries to record the failure (durable, then in memory).
    let failFinalMarks = 3;
    const { service, events } = await h.start({
      wrapStore: (store) =>
        Object.assign(Object.create(store) as JobStore, {
          async updateFile(...args: Parameters<JobStore['updateFile']>) {
            const [, , patch] = args;
            if ((patch.status === 'completed' || patch.status === 'failed') && failFinalMarks > 0) {
              failFinalMarks -= 1;
              throw new Error('EIO: i/o error, write');
            }
            return store.updateFile(...args);
          },
        }),
    });
    const { job } = await h.upload(service, ['a.png']);
    const trail = await eventsUntilDone(events, job.job_id, null, 10_000);
    expect(trail.slice(-2)).toMatchObject([
      { type: 'failed', file_id: 'file_001', error: { code: 'PROCESSING_ERROR', message: 'Internal processing error' } },
      { type: 'done', status: 'failed' },
    ]);
    expect((await service.getJob(job.job_id, access)).files[0]?.status).toBe('failed');
  });

  it('queues again a file left pending or processing with no queue entry, resuming its provider task instead of submitting anew', async () => {
    const provider = new FakeModelProvider({ name: 'fal', mintTaskIds: false });
    provider.hold();
    const { service, store, queue } = await h.start({ provider, concurrency: 1 });
    const { job } = await h.upload(service, ['a.png']);
    await provider.waitForCalls(1);
    // The state a crash between the queue and the store leaves: processing, a task id, no entry.
    await queue.close({ graceMs: 0 });
    expect((await store.getFile(job.job_id, 'file_001'))?.model_task_id).toBe('req_fake_1');
    const second = new FakeModelProvider({ name: 'fal', mintTaskIds: false });
    const b = await h.start({ provider: second, concurrency: 1 });
    expect(await b.service.resumeUnfinished()).toBe(1);
    expect(await b.service.resumeUnfinished()).toBe(0); // queued now: nothing to do twice
    const trail = await eventsUntilDone(b.events, job.job_id);
    expect(trail.at(-1)).toMatchObject({ type: 'done', status: 'completed' });
    expect(second.calls.map((c) => c.existing_task_id)).toEqual(['req_fake_1']);
    provider.release();
  });
});
