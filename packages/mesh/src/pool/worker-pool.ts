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
  worker: Worker;
  running: Task<TRequest, TProgress, TResult> | null;
  /** Tasks only this worker may run (warm-up). */
  pinned: Task<TRequest, TProgress, TResult>[];
  /** Why the worker died, if it reported an error before exiting. */
  lastError: Error | null;
}

/**
 * A fixed-size pool of worker threads. A worker that crashes is replaced and its task rejects
 * with an Error saying so; the others carry on. Idle workers are unref'd, so an idle pool does
 * not keep the process alive.
 */
export function createWorkerPool<TRequest, TProgress, TResult>(options: {
  size: number;
  createWorker: () => Worker;
}): WorkerPool<TRequest, TProgress, TResult> {
  type PoolTask = Task<TRequest, TProgress, TResult>;
  type PoolSlot = Slot<TRequest, TProgress, TResult>;
  const queue: PoolTask[] = [];
  const slots: PoolSlot[] = [];
  let nextId = 1;
  let closed = false;

  const dispatch = (slot: PoolSlot): void => {
    if (slot.running || closed) return;
    const task = slot.pinned.shift() ?? queue.shift();
    if (!task) {
      slot.worker.unref();
      return;
    }
    slot.running = task;
    slot.worker.ref();
    try {
      slot.worker.postMessage({ id: task.id, request: task.request }, task.options.transfer ?? []);
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

  const spawn = (index: number): void => {
    const slot: PoolSlot = { worker: options.createWorker(), running: null, pinned: slots[index]?.pinned ?? [], lastError: null };
    slots[index] = slot;
    slot.worker.on('message', (reply: WorkerReply<TProgress, TResult>) => {
      if (slot.running?.id !== reply.id) return;
      if (reply.type === 'progress') slot.running.options.onProgress?.(reply.progress);
      else if (reply.type === 'done') finish(slot, (task) => task.resolve(reply.result));
      else finish(slot, (task) => task.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name })));
    });
    slot.worker.on('error', (error) => {
      slot.lastError = error;
    });
    slot.worker.on('exit', (code) => {
      if (slots[index] !== slot) return;
      const task = slot.running;
      slot.running = null;
      const reason = closed ? 'the pool was closed' : `exit code ${code}${slot.lastError ? `: ${slot.lastError.message}` : ''}`;
      task?.reject(new Error(`Worker stopped before finishing its task (${reason})`, { cause: slot.lastError ?? undefined }));
      if (!closed) spawn(index);
    });
    dispatch(slot);
  };

  const enqueue = (request: TRequest, runOptions: RunOptions<TProgress>, pinTo?: number): Promise<TResult> =>
    new Promise<TResult>((resolve, reject) => {
      if (closed) {
        reject(new Error('Worker pool is closed'));
        return;
      }
      const task: PoolTask = { id: nextId++, request, options: runOptions, resolve, reject };
      if (pinTo === undefined) {
        queue.push(task);
        slots.forEach(dispatch);
      } else {
        slots[pinTo]!.pinned.push(task);
        dispatch(slots[pinTo]!);
      }
    });

  for (let index = 0; index < options.size; index++) spawn(index);

  return {
    run: (request, runOptions = {}) => enqueue(request, runOptions),
    runOnEach: (createRequest) => Promise.all(slots.map((_, index) => enqueue(createRequest(), {}, index))),
    async close() {
      if (closed) return;
      closed = true;
      const pending = [...queue.splice(0), ...slots.flatMap((slot) => slot.pinned.splice(0))];
      for (const task of pending) task.reject(new Error('Worker pool is closed'));
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
