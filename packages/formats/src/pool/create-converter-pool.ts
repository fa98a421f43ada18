import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import { createWorkerPool } from '@image2model/core/worker-pool';

import type { PrintReport } from '@image2model/core/print-report';

import type { ConvertOptions } from '../convert-model.js';
import type { ReportOptions } from '../report/print-report.js';
import type { ConvertRequest } from './converter-messages.js';

/** `convertModel` and `reportModel` on worker threads: a 200,000-triangle model leaves the event loop free. */
export interface ConverterPool {
  /** Queued first come, first served behind at most `size` running conversions and reports. */
  convert(glb: Uint8Array, options: ConvertOptions): Promise<Uint8Array>;
  /** The print-readiness report, in the same queue as conversions. */
  report(glb: Uint8Array, options?: ReportOptions): Promise<PrintReport>;
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
  const pool = createWorkerPool<ConvertRequest, never, Uint8Array | PrintReport>({ size, createWorker: () => new Worker(workerUrl) });
  const run = (request: ConvertRequest): Promise<Uint8Array | PrintReport> => pool.run(request, { transfer: [request.glb.buffer as ArrayBuffer] });
  return {
    // Each kind of request gets its own kind of result back (convert-worker.ts).
    convert: async (glb, convertOptions) => (await run({ kind: 'convert', glb: new Uint8Array(glb), options: convertOptions })) as Uint8Array,
    report: async (glb, reportOptions = {}) => (await run({ kind: 'report', glb: new Uint8Array(glb), options: reportOptions })) as PrintReport,
    close: () => pool.close(),
  };
}
