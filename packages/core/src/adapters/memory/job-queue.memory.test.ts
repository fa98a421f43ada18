import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { describeJobQueueContract, waitUntil } from '../../jobs/job-queue.contract.js';
import { MemoryJobQueue } from './job-queue.memory.js';

describeJobQueueContract('MemoryJobQueue', async (opts) => {
  const queue = new MemoryJobQueue(opts);
  return { queue, cleanup: () => queue.close({ graceMs: 0 }) };
});

const task = { job_id: 'batch_20240315_123456_memq00', file_id: 'file_001', generation: 1, owner: 'owner-a' };

describe('MemoryJobQueue', () => {
  it('does not queue a task again while the same task is running', async () => {
    const queue = new MemoryJobQueue({ concurrency: 2 });
    let release = (): void => undefined;
    let runs = 0;
    queue.process(async () => {
      runs += 1;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await queue.enqueue([task]);
    await waitUntil(() => runs === 1);
    await queue.enqueue([task]);
    expect(await queue.counts()).toEqual({ waiting: 0, active: 1 });
    release();
    await queue.close();
    expect(runs).toBe(1);
  });

  it('counts a task waiting for its retry as waiting, and drops it on close', async () => {
    const queue = new MemoryJobQueue({ concurrency: 1, backoffMs: 60_000 });
    let runs = 0;
    queue.process(async () => {
      runs += 1;
      throw new AppError('FAL_API_ERROR', 'busy', { retryable: true });
    });
    await queue.enqueue([task]);
    await waitUntil(() => runs === 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await queue.counts()).toEqual({ waiting: 1, active: 0 });
    await queue.close();
    expect(await queue.counts()).toEqual({ waiting: 0, active: 0 });
  });

  it('ignores tasks enqueued after close (the store resumes them after a restart)', async () => {
    const queue = new MemoryJobQueue({ concurrency: 1 });
    let runs = 0;
    queue.process(async () => {
      runs += 1;
    });
    await queue.close();
    await queue.enqueue([task]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toBe(0);
  });

  it('refuses a concurrency below one', () => {
    expect(() => new MemoryJobQueue({ concurrency: 0 })).toThrow(/concurrency/);
  });
});
