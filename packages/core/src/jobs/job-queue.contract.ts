import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import type { FileTask, JobQueue, TaskContext } from './job-queue.js';

export interface JobQueueHarness {
  queue: JobQueue;
  cleanup(): Promise<void>;
}

export type JobQueueFactory = (opts: { concurrency: number; maxAttempts: number; backoffMs: number }) => Promise<JobQueueHarness>;

export async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function task(n: number, generation = 1): FileTask {
  return { job_id: 'batch_20240315_123456_queue0', file_id: `file_${String(n).padStart(3, '0')}`, generation, owner: 'owner-a' };
}

/** A gate a handler can wait on until the test opens it. */
function gate() {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** The behaviour every JobQueue adapter must have; run it against each one. */
export function describeJobQueueContract(name: string, factory: JobQueueFactory): void {
  describe(`JobQueue contract: ${name}`, () => {
    const harnesses: JobQueueHarness[] = [];
    async function make(opts: Partial<{ concurrency: number; maxAttempts: number; backoffMs: number }> = {}) {
      const harness = await factory({ concurrency: 1, maxAttempts: 3, backoffMs: 10, ...opts });
      harnesses.push(harness);
      return harness.queue;
    }
    afterEach(async () => {
      await Promise.all(harnesses.splice(0).map((h) => h.cleanup()));
    });

    it('runs every task once and never more than `concurrency` at a time', async () => {
      const queue = await make({ concurrency: 2 });
      let active = 0;
      let peak = 0;
      const done: string[] = [];
      queue.process(async (t) => {
        active += 1;
        peak = Math.max(peak, active);
        await sleep(15);
        active -= 1;
        done.push(t.file_id);
      });
      await queue.enqueue([1, 2, 3, 4, 5, 6].map((n) => task(n)));
      await waitUntil(() => done.length === 6);
      expect(peak).toBe(2);
      expect([...done].sort()).toEqual([1, 2, 3, 4, 5, 6].map((n) => task(n).file_id));
    });

    it('runs tasks first in, first out', async () => {
      const queue = await make();
      const order: string[] = [];
      await queue.enqueue([3, 1, 2].map((n) => task(n)));
      queue.process(async (t) => {
        order.push(t.file_id);
      });
      await queue.enqueue([task(5), task(4)]);
      await waitUntil(() => order.length === 5);
      expect(order).toEqual(['file_003', 'file_001', 'file_002', 'file_005', 'file_004']);
    });

    it("takes turns between owners: one owner's backlog does not hold back another owner's task", async () => {
      const queue = await make();
      const blocker = gate();
      const order: string[] = [];
      queue.process(async (t) => {
        order.push(`${t.owner}:${t.file_id}`);
        if (order.length === 1) await blocker.opened;
      });
      await queue.enqueue(Array.from({ length: 30 }, (_, i) => task(i + 1)));
      await waitUntil(() => order.length === 1);
      await queue.enqueue([{ ...task(1), job_id: 'batch_20240315_123456_queueb', owner: 'owner-b' }]);
      blocker.open();
      await waitUntil(() => order.length === 31);
      // At most one more of owner-a's files before owner-b's one (its turn), not the other 29.
      expect(order.indexOf('owner-b:file_001')).toBeLessThanOrEqual(2);
      expect(order.filter((entry) => entry.startsWith('owner-a:'))).toEqual(Array.from({ length: 30 }, (_, i) => `owner-a:${task(i + 1).file_id}`));
    });

    it('runs a task that is enqueued again while it is still waiting only once', async () => {
      const queue = await make();
      const blocker = gate();
      const runs: string[] = [];
      queue.process(async (t, ctx) => {
        runs.push(`${t.file_id}@${t.generation}#${ctx.attempt}`);
        if (t.file_id === 'file_001') await blocker.opened;
      });
      await queue.enqueue([task(1)]);
      await waitUntil(() => runs.length === 1);
      await queue.enqueue([task(2), task(2)]);
      await queue.enqueue([task(2), task(2, 2)]);
      blocker.open();
      await waitUntil(() => runs.length === 3);
      await sleep(30);
      expect(runs).toEqual(['file_001@1#1', 'file_002@1#1', 'file_002@2#1']);
    });

    it('retries a retryable AppError with backoff and tells the handler the attempt', async () => {
      const queue = await make({ maxAttempts: 3, backoffMs: 40 });
      const seen: { attempt: number; max: number; at: number }[] = [];
      queue.process(async (_t, ctx: TaskContext) => {
        seen.push({ attempt: ctx.attempt, max: ctx.maxAttempts, at: Date.now() });
        if (ctx.attempt < 3) throw new AppError('FAL_API_ERROR', 'busy', { retryable: true });
      });
      await queue.enqueue([task(1)]);
      await waitUntil(() => seen.length === 3);
      expect(seen.map((s) => [s.attempt, s.max])).toEqual([[1, 3], [2, 3], [3, 3]]);
      const [a, b, c] = seen.map((s) => s.at);
      expect((b ?? 0) - (a ?? 0)).toBeGreaterThanOrEqual(35);
      expect((c ?? 0) - (b ?? 0)).toBeGreaterThanOrEqual(75); // exponential: the second wait doubles
      await sleep(150);
      expect(seen).toHaveLength(3);
    });

    it('gives up after maxAttempts', async () => {
      const queue = await make({ maxAttempts: 2, backoffMs: 5 });
      let calls = 0;
      queue.process(async () => {
        calls += 1;
        throw new AppError('FAL_API_ERROR', 'still busy', { retryable: true });
      });
      await queue.enqueue([task(1)]);
      await waitUntil(() => calls === 2);
      await sleep(60);
      expect(calls).toBe(2);
    });

    it('does not retry a permanent AppError or an unexpected error', async () => {
      const queue = await make({ backoffMs: 5 });
      const calls: string[] = [];
      queue.process(async (t) => {
        calls.push(t.file_id);
        if (t.file_id === 'file_001') throw new AppError('FAL_API_ERROR', 'rejected', { retryable: false });
        throw new Error('boom');
      });
      await queue.enqueue([task(1), task(2)]);
      await waitUntil(() => calls.length === 2);
      await sleep(60);
      expect(calls).toEqual(['file_001', 'file_002']);
    });

    it('gives a task up to the abandon handler, with its error, once its handler threw for the last time (retried or not)', async () => {
      const queue = await make({ maxAttempts: 2, backoffMs: 5 });
      const calls: string[] = [];
      const abandoned: { task: FileTask; error: unknown }[] = [];
      const permanent = new Error('escaped after pick-up');
      const transient = new AppError('SERVICE_UNAVAILABLE', 'store down', { retryable: true });
      queue.process(
        async (t, ctx) => {
          calls.push(`${t.file_id}#${ctx.attempt}`);
          if (t.file_id === 'file_001') throw permanent;
          if (t.file_id === 'file_002') throw transient;
        },
        async (t, _reason, error) => {
          abandoned.push({ task: t, error });
        },
      );
      await queue.enqueue([task(1), task(2), task(3)]);
      await waitUntil(() => abandoned.length === 2, 5000);
      await sleep(60);
      expect(calls.sort()).toEqual(['file_001#1', 'file_002#1', 'file_002#2', 'file_003#1']);
      expect(abandoned).toHaveLength(2);
      expect(abandoned.find((a) => a.task.file_id === 'file_001')).toEqual({ task: task(1), error: permanent });
      expect(abandoned.find((a) => a.task.file_id === 'file_002')).toEqual({ task: task(2), error: transient });
    });

    it('does not give up a task its own shutdown interrupted', async () => {
      const queue = await make();
      const abandoned: FileTask[] = [];
      let started = false;
      queue.process(
        async (_t, ctx) => {
          started = true;
          await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
        },
        async (t) => {
          abandoned.push(t);
        },
      );
      await queue.enqueue([task(1)]);
      await waitUntil(() => started);
      await queue.close({ graceMs: 20 });
      await sleep(30);
      expect(abandoned).toEqual([]);
    });

    it('tells which tasks have no live entry: never queued, or finished', async () => {
      const queue = await make();
      const blocker = gate();
      const finished: string[] = [];
      queue.process(async (t) => {
        if (t.file_id === 'file_001') await blocker.opened;
        finished.push(t.file_id);
      });
      await queue.enqueue([task(1), task(2)]);
      await waitUntil(() => finished.length === 0);
      // file_001 running, file_002 waiting behind it, file_003 never queued, file_001 at another generation neither.
      expect(await queue.withoutEntry([task(1), task(2), task(3), task(1, 2)])).toEqual([task(3), task(1, 2)]);
      blocker.open();
      await waitUntil(() => finished.length === 2, 5000);
      await sleep(50); // the queue lets go of a finished entry just after its handler returns
      expect(await queue.withoutEntry([task(1), task(2)])).toEqual([task(1), task(2)]);
    });

    it('counts waiting and active tasks', async () => {
      const queue = await make();
      const blocker = gate();
      let started = 0;
      queue.process(async () => {
        started += 1;
        await blocker.opened;
      });
      await queue.enqueue([task(1), task(2), task(3)]);
      await waitUntil(() => started === 1);
      expect(await queue.counts()).toEqual({ waiting: 2, active: 1 });
      blocker.open();
      await waitUntil(() => started === 3);
    });

    it('lets a running task finish within the grace period and starts nothing new after close', async () => {
      const queue = await make();
      const blocker = gate();
      const finished: string[] = [];
      let signal: AbortSignal | undefined;
      queue.process(async (t, ctx) => {
        signal = ctx.signal;
        await blocker.opened;
        finished.push(t.file_id);
      });
      await queue.enqueue([task(1), task(2)]);
      await waitUntil(() => signal !== undefined);
      const closing = queue.close({ graceMs: 2000 });
      await sleep(20);
      blocker.open();
      await closing;
      await sleep(30);
      expect(finished).toEqual(['file_001']);
      expect(signal?.aborted).toBe(false);
    });

    it('aborts running tasks once the grace period is over', async () => {
      const queue = await make();
      let signal: AbortSignal | undefined;
      queue.process(async (_t, ctx) => {
        signal = ctx.signal;
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      });
      await queue.enqueue([task(1)]);
      await waitUntil(() => signal !== undefined);
      const started = Date.now();
      await queue.close({ graceMs: 50 });
      expect(signal?.aborted).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    });
  });
}
