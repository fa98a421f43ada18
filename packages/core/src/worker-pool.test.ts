import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';

import { createWorkerPool, type WorkerPool } from './worker-pool.js';

/** Echoes requests back, reports one progress step, and dies, hangs or spins (never yielding) on request. */
const SCRIPT = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, request }) => {
  if (request === 'crash') setTimeout(() => { throw new Error('boom'); });
  else if (request === 'exit') process.exit(7);
  else if (request === 'hang') {}
  else if (request === 'spin') { for (;;) {} }
  else if (request === 'fail') parentPort.postMessage({ id, type: 'failed', error: { name: 'RangeError', message: 'bad request' } });
  else {
    parentPort.postMessage({ id, type: 'progress', progress: 50 });
    parentPort.postMessage({ id, type: 'done', result: request + ' from ' + require('node:worker_threads').threadId });
  }
});`;

let pool: WorkerPool<string, number, string> | undefined;
afterEach(async () => {
  await pool?.close();
});

function createPool(size: number): WorkerPool<string, number, string> {
  pool = createWorkerPool<string, number, string>({ size, createWorker: () => new Worker(SCRIPT, { eval: true }) });
  return pool;
}

describe('createWorkerPool', () => {
  it('runs requests on workers and forwards their progress', async () => {
    const progress: number[] = [];
    const result = await createPool(1).run('hello', { onProgress: (value) => progress.push(value) });
    expect(result).toMatch(/^hello from \d+$/);
    expect(progress).toEqual([50]);
  });

  it('rejects with the worker\'s error, keeping its name', async () => {
    const error = await createPool(1).run('fail').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'RangeError', message: 'bad request' });
  });

  it('rejects the task of a crashed worker with a clear error, and replaces the worker', async () => {
    const workers = createPool(1);
    await expect(workers.run('crash')).rejects.toThrow('Worker stopped before finishing its task (exit code 1: boom)');
    await expect(workers.run('exit')).rejects.toThrow('exit code 7');
    await expect(workers.run('still there?')).resolves.toMatch(/^still there\? from/);
  });

  it('does not respawn a worker that cannot start in a loop, and rejects tasks with its error', async () => {
    let created = 0;
    pool = createWorkerPool<string, number, string>({
      size: 1,
      createWorker: () => {
        created++;
        return new Worker('throw new Error("cannot start")', { eval: true });
      },
    });
    await expect(pool.run('first')).rejects.toThrow('cannot start');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(created).toBeLessThanOrEqual(2);
    await expect(pool.run('second')).rejects.toThrow('cannot start');
    expect(created).toBeLessThanOrEqual(3);
  });

  it('runs one request on every worker', async () => {
    const results = await createPool(3).runOnEach(() => 'warm');
    expect(new Set(results).size).toBe(3);
  });

  it('queues requests beyond its size and runs them all', async () => {
    const workers = createPool(2);
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => workers.run(`task ${i}`)));
    expect(results.map((result) => result.split(' from ')[0])).toEqual(Array.from({ length: 7 }, (_, i) => `task ${i}`));
  });

  it('rejects running and queued tasks when closed, and new ones after', async () => {
    const workers = createPool(1);
    const running = expect(workers.run('hang')).rejects.toThrow('the pool was closed');
    const queued = expect(workers.run('never')).rejects.toThrow('Worker pool is closed');
    await workers.close();
    await running;
    await queued;
    await expect(workers.run('late')).rejects.toThrow('Worker pool is closed');
  });

  it('stops a running task on abort at once, even one that never yields, and runs the next task on a fresh worker', async () => {
    const workers = createPool(1);
    const first = await workers.run('before');
    const controller = new AbortController();
    const spinning = workers.run('spin', { signal: controller.signal });
    const next = workers.run('after');
    await new Promise((resolve) => setTimeout(resolve, 100)); // it is spinning
    const started = performance.now();
    controller.abort(new Error('cancelled by the user'));
    await expect(spinning).rejects.toThrow('cancelled by the user');
    const after = await next;
    expect(performance.now() - started).toBeLessThan(1_000);
    // The spinning thread was terminated: a new one (another thread id) ran the next task.
    expect(after.split(' from ')[1]).not.toBe(first.split(' from ')[1]);
  });

  it('drops an aborted queued task without running it, and refuses an already aborted one', async () => {
    const workers = createPool(1);
    const controller = new AbortController();
    const running = workers.run('slow-but-fine');
    const queued = workers.run('never run', { signal: controller.signal });
    controller.abort(new Error('not wanted any more'));
    await expect(queued).rejects.toThrow('not wanted any more');
    await expect(running).resolves.toMatch(/^slow-but-fine from/);
    await expect(workers.run('late', { signal: controller.signal })).rejects.toThrow('not wanted any more');
    // A task that finished is not disturbed by its signal firing afterwards.
    const done = new AbortController();
    await expect(workers.run('finished', { signal: done.signal })).resolves.toMatch(/^finished from/);
    done.abort();
    await expect(workers.run('still fine')).resolves.toMatch(/^still fine from/);
  });
});
