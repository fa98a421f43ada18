import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import { createWorkerPool } from '@image2model/core/worker-pool';

import type { ConvertOptions } from '../convert-model.js';
import type { ConvertRequest } from './converter-messages.js';

/** `convertModel` on worker threads: a 200,000-triangle conversion leaves the event loop free. */
export interface ConverterPool {
  /** Queued first come, first served behind at most `size` running conversions. */
  convert(glb: Uint8Array, options: ConvertOptions): Promise<Uint8Array>;
  /** Stops the workers; pending conversions reject. */
  close(): Promise<void>;
}

/**
 * A pool of `size` converter threads (default: half the cores, at least one, so conversions never
 * take every core from generation and HTTP). The GLB goes over as a copy the worker owns; the
 * result comes back by transfer.
 *
 * @example
 * const pool = createConverterPool();
 * const stl = await pool.convert(glb, { format: 'stl', name: 'mug' });
 */
export function createConverterPool(options: { size?: number } = {}): ConverterPool {
  const size = options.size ?? Math.max(1, Math.floor(availableParallelism() / 2));
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
  const workerUrl = new URL('./convert-worker.js', import.meta.url);
  const pool = createWorkerPool<ConvertRequest, never, Uint8Array>({ size, createWorker: () => new Worker(workerUrl) });
  return {
    convert(glb, convertOptions) {
      const copy = new Uint8Array(glb);
      return pool.run({ glb: copy, options: convertOptions }, { transfer: [copy.buffer] });
    },
    close: () => pool.close(),
  };
}
