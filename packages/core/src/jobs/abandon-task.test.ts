import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '../testing/fake-model-provider.js';
import { createServiceHarness, eventsUntilDone, OWNER } from '../testing/service-harness.js';
import { ABANDONED_ERROR } from './abandon-task.js';

describe('a task the queue gives up', () => {
  let h: Awaited<ReturnType<typeof createServiceHarness>>;
  beforeEach(async () => {
    h = await createServiceHarness();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('fails its processing file with PROCESSING_ERROR, its failed event and the job done, and a late result is dropped', async () => {
    const provider = new FakeModelProvider();
    provider.hold();
    const { service, events } = await h.start({ provider });
    const { job } = await h.upload(service, ['a.png']);
    await provider.waitForCalls(1);
    await service.abandonTask({ job_id: job.job_id, file_id: 'file_001', generation: 1, owner: OWNER }, 'job stalled more than allowable limit');
    const trail = await eventsUntilDone(events, job.job_id);
    expect(trail.slice(-2)).toMatchObject([
      { type: 'failed', file_id: 'file_001', error: ABANDONED_ERROR },
      { type: 'done', status: 'failed' },
    ]);
    provider.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const file = (await service.getJob(job.job_id, { owner: OWNER, session_id: null })).files[0];
    expect(file).toMatchObject({ status: 'failed', error: ABANDONED_ERROR });
    expect((await events.since(job.job_id, null)).filter((e) => e.type === 'done')).toHaveLength(1);
  });

  it('leaves a file alone that already finished, or is at another generation', async () => {
    const { service, events } = await h.start();
    const { job } = await h.upload(service, ['a.png']);
    await eventsUntilDone(events, job.job_id);
    await service.abandonTask({ job_id: job.job_id, file_id: 'file_001', generation: 1, owner: OWNER }, 'stalled');
    await service.abandonTask({ job_id: job.job_id, file_id: 'file_001', generation: 7, owner: OWNER }, 'stalled');
    const file = (await service.getJob(job.job_id, { owner: OWNER, session_id: null })).files[0];
    expect(file?.status).toBe('completed');
    expect((await events.since(job.job_id, null)).filter((e) => e.type === 'failed')).toEqual([]);
  });
});
