import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import type { GenerateResult } from '../generate-model.js';
import { resolveGenerateOptions, type InflationMethod } from '../generate-options.js';
import { asBuffer, type GeneratorOutput, type GeneratorProgress, type GeneratorRequest } from './generator-messages.js';
import { createWorkerPool } from './worker-pool.js';

export interface GeneratorPoolOptions {
  face_limit: number;
  inflation?: number;
  method?: InflationMethod;
  texture_size?: number;
  /** Integer 0–100, never decreasing, with the stage reached; called on the main thread. */
  onProgress?: (progress: number, stage: string) => void;
  /** Aborting it stops the generation at once (its worker thread is terminated); it rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** `generateModel` on worker threads, so the event loop stays free for HTTP and SSE. */
export interface GeneratorPool {
  generate(
    /** The photo's bytes, or the path of its file: read on the worker thread, so the caller never holds it. */
    image: Buffer | string,
    options: GeneratorPoolOptions,
  ): Promise<Omit<GenerateResult, 'glb' | 'preview'> & { glb: Buffer; preview?: Buffer }>;
  /** Runs one small generation in every worker (and loads OpenCV there), so the first real one skips JIT and WebAssembly compilation. */
  warmUp(): Promise<void>;
  /** Stops the workers; pending generations reject. */
  close(): Promise<void>;
}

/**
 * A pool of `size` generator threads (default: one per core but one, at least one). Photos are
 * handed over by transfer, results come back the same way.
 *
 * @example
 * const pool = createGeneratorPool();
 * await pool.warmUp();
 * const { glb } = await pool.generate(photo, { face_limit: 10_000, onProgress: (p) => console.log(p) });
 */
export function createGeneratorPool(options: { size?: number } = {}): GeneratorPool {
  const size = options.size ?? Math.max(1, availableParallelism() - 1);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
  const workerUrl = new URL('./generate-worker.js', import.meta.url);
  const pool = createWorkerPool<GeneratorRequest, GeneratorProgress, GeneratorOutput>({ size, createWorker: () => new Worker(workerUrl) });
  return {
    async generate(image, { onProgress, signal, ...generateOptions }) {
      resolveGenerateOptions(generateOptions);
      // Bytes go as a copy the worker can own: transferring the caller's memory would detach it under them.
      const photo = typeof image === 'string' ? image : new Uint8Array(image);
      const output = await pool.run(
        { kind: 'generate', image: photo, options: generateOptions },
        {
          transfer: typeof photo === 'string' ? [] : [photo.buffer],
          ...(onProgress ? { onProgress: (update) => onProgress(update.progress, update.stage) } : {}),
          ...(signal ? { signal } : {}),
        },
      );
      return {
        glb: asBuffer(output.glb),
        ...(output.preview ? { preview: asBuffer(output.preview) } : {}),
        warnings: output.warnings,
        notices: output.notices,
        segmentation: output.segmentation,
        stats: output.stats,
      };
    },
    async warmUp() {
      await pool.runOnEach(() => ({ kind: 'warm-up' }));
    },
    close: () => pool.close(),
  };
}
