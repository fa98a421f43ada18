import type { Worker } from 'node:worker_threads';

/**
 * What a pool worker posts back for a task: progress along the way, then `done` or `failed`.
 * Requests go out as `{ id, request }`.
 */
export type WorkerReply<TProgress, TResult> =
  | { id: number; type: 'progress'; progress: TProgress }
  | { id: number; type: 'done'; result: TResult }
  | { id: number; type: 'failed'; error: { name: string; message: string } };

export interface RunOptions<TProgress> {
  onProgress?: (progress: TProgress) => void;
  /** ArrayBuffers inside the request to move to the worker instead of copying. */
  transfer?: ArrayBuffer[];
  /**
   * Stops the task: a queued one leaves the queue, a running one's worker is terminated at once
   * (a generation cannot be interrupted any other way) and replaced when there is work. The task
   * rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

export interface WorkerPool<TRequest, TProgress, TResult> {
  /** Runs the request on the next free worker (first come, first served). */
  run(request: TRequest, options?: RunOptions<TProgress>): Promise<TResult>;
  /** Runs one request on every worker, e.g. to warm them up. */
  runOnEach(createRequest: () => TRequest): Promise<TResult[]>;
  /** Stops every worker; queued and running tasks reject. */
  close(): Promise<void>;
}

interface Task<TRequest, TProgress, TResult> {
  id: number;
  request: TRequest;
  options: RunOptions<TProgress>;
  resolve(result: TResult): void;
  reject(error: Error): void;
}

interface Slot<TRequest, TProgress, TResult> {
  /** Null after the worker died, until there is work for its replacement. */
  worker: Worker | null;
  running: Task<TRequest, TProgress, TResult> | null;
  /** Tasks only this worker may run (warm-up). */
  pinned: Task<TRequest, TProgress, TResult>[];
  /** Why the worker died, if it reported an error before exiting. */
  lastError: Error | null;
}

/**
 * A fixed-size pool of worker threads (the generator's and the format converter's; imports nothing, `@image2model/core/worker-pool`). A worker that crashes is replaced (when there is work for
 * it, so a worker that cannot even start does not respawn in a loop) and its task rejects with an
 * Error saying so; the others carry on. Idle workers are unref'd, so an idle pool does not keep
 * the process alive.
 */
export function createWorkerPool<TRequest, TProgress, TResult>(options: {
  size: number;
  createWorker: () => Worker;
}): WorkerPool<TRequest, TProgress, TResult> {
  type PoolTask = Task<TRequest, TProgress, TResult>;
  type PoolSlot = Slot<TRequest, TProgress, TResult>;
  const queue: PoolTask[] = [];
  const slots: PoolSlot[] = Array.from({ length: options.size }, () => ({ worker: null, running: null, pinned: [], lastError: null }));
  let nextId = 1;
  let closed = false;

  const dispatch = (slot: PoolSlot): void => {
    if (slot.running || closed) return;
    if (slot.pinned.length === 0 && queue.length === 0) {
      slot.worker?.unref();
      return;
    }
    const worker = slot.worker ?? spawn(slot);
    const task = slot.pinned.shift() ?? queue.shift();
    if (!task) return;
    slot.running = task;
    worker.ref();
    try {
      worker.postMessage({ id: task.id, request: task.request }, task.options.transfer ?? []);
    } catch (error) {
      slot.running = null;
      task.reject(toError(error));
      dispatch(slot);
    }
  };

  const finish = (slot: PoolSlot, settle: (task: PoolTask) => void): void => {
    const task = slot.running;
    slot.running = null;
    if (task) settle(task);
    dispatch(slot);
  };

  const spawn = (slot: PoolSlot): Worker => {
    const worker = options.createWorker();
    slot.worker = worker;
    slot.lastError = null;
    worker.on('message', (reply: WorkerReply<TProgress, TResult>) => {
      if (slot.running?.id !== reply.id) return;
      if (reply.type === 'progress') slot.running.options.onProgress?.(reply.progress);
      else if (reply.type === 'done') finish(slot, (task) => task.resolve(reply.result));
      else finish(slot, (task) => task.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name })));
    });
    worker.on('error', (error) => {
      if (slot.worker === worker) slot.lastError = error;
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      slot.worker = null;
      const reason = closed ? 'the pool was closed' : `exit code ${code}${slot.lastError ? `: ${slot.lastError.message}` : ''}`;
      finish(slot, (task) => task.reject(new Error(`Worker stopped before finishing its task (${reason})`, { cause: slot.lastError ?? undefined })));
    });
    return worker;
  };

  /** A running task's worker is terminated (its replacement comes with the next work); a queued task leaves the queue. */
  const abort = (task: PoolTask, reason: Error): void => {
    const slot = slots.find((candidate) => candidate.running === task);
    if (slot) {
      const worker = slot.worker;
      slot.running = null;
      slot.worker = null; // its 'exit' is then not this slot's business
      void worker?.terminate();
      task.reject(reason);
      dispatch(slot);
      return;
    }
    const queued = queue.indexOf(task);
    if (queued >= 0) {
      queue.splice(queued, 1);
      task.reject(reason);
    }
  };

  const enqueue = (request: TRequest, runOptions: RunOptions<TProgress>, pinTo?: PoolSlot): Promise<TResult> =>
    new Promise<TResult>((resolve, reject) => {
      if (closed) {
        reject(new Error('Worker pool is closed'));
        return;
      }
      const { signal } = runOptions;
      if (signal?.aborted) {
        reject(toError(signal.reason));
        return;
      }
      const onAbort = (): void => abort(task, toError(signal?.reason));
      const settled = (): void => signal?.removeEventListener('abort', onAbort);
      const task: PoolTask = {
        id: nextId++,
        request,
        options: runOptions,
        resolve: (result) => {
          settled();
          resolve(result);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (pinTo) {
        pinTo.pinned.push(task);
        dispatch(pinTo);
      } else {
        queue.push(task);
        slots.forEach(dispatch);
      }
    });

  for (const slot of slots) spawn(slot).unref();

  return {
    run: (request, runOptions = {}) => enqueue(request, runOptions),
    runOnEach: (createRequest) => Promise.all(slots.map((slot) => enqueue(createRequest(), {}, slot))),
    async close() {
      if (closed) return;
      closed = true;
      const pending = [...queue.splice(0), ...slots.flatMap((slot) => slot.pinned.splice(0))];
      for (const task of pending) task.reject(new Error('Worker pool is closed'));
      await Promise.all(slots.map((slot) => slot.worker?.terminate()));
    },
  };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
