import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import type { GenerateResult } from '../generate-model.js';
import { resolveGenerateOptions, type InflationMethod } from '../generate-options.js';
import type { MultiviewResult } from '../multiview/generate-multiview-model.js';
import { requireSideView } from '../multiview/require-side-view.js';
import type { ViewName } from '../multiview/view-cameras.js';
import {
  asBuffer,
  type GeneratorOutput,
  type GeneratorProgress,
  type GeneratorRequest,
  type GeneratorRequestOptions,
  type PhotoSource,
} from './generator-messages.js';
import { createWorkerPool } from '@image2model/core/worker-pool';

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

/** Photos of one object's sides, as generateMultiviewModel takes them: bytes, or the paths of their files. */
export type MultiviewSources = { front: Buffer | string } & Partial<Record<Exclude<ViewName, 'front'>, Buffer | string>>;

/** `generateModel` (and `generateMultiviewModel`) on worker threads, so the event loop stays free for HTTP and SSE. */
export interface GeneratorPool {
  generate(
    /** The photo's bytes, or the path of its file: read on the worker thread, so the caller never holds it. */
    image: Buffer | string,
    options: GeneratorPoolOptions,
  ): Promise<Omit<GenerateResult, 'glb' | 'preview'> & { glb: Buffer; preview?: Buffer }>;
  /** `generateMultiviewModel` on a worker thread: each view as bytes or the path of its file. */
  generateMultiview(
    images: MultiviewSources,
    options: GeneratorPoolOptions,
  ): Promise<Omit<MultiviewResult, 'glb' | 'preview'> & { glb: Buffer; preview?: Buffer }>;
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
  const run = (request: GeneratorRequest, transfer: ArrayBuffer[], { onProgress, signal }: GeneratorPoolOptions): Promise<GeneratorOutput> =>
    pool.run(request, {
      transfer,
      ...(onProgress ? { onProgress: (update) => onProgress(update.progress, update.stage) } : {}),
      ...(signal ? { signal } : {}),
    });
  return {
    async generate(image, options) {
      const generateOptions = requestOptions(options);
      const photo = ownedPhoto(image);
      const output = await run({ kind: 'generate', image: photo, options: generateOptions }, transferable([photo]), options);
      if (output.kind !== 'single') throw new Error(`expected a single-photo result, got ${output.kind}`);
      const { kind: _kind, glb, preview, ...rest } = output;
      return { glb: asBuffer(glb), ...(preview ? { preview: asBuffer(preview) } : {}), ...rest };
    },
    async generateMultiview(images, options) {
      const generateOptions = requestOptions(options);
      requireSideView(images);
      const photos = Object.fromEntries(Object.entries(images).filter(([, image]) => image !== undefined).map(([name, image]) => [name, ownedPhoto(image)]));
      const output = await run({ kind: 'multiview', images: photos, options: generateOptions }, transferable(Object.values(photos)), options);
      if (output.kind !== 'multiview') throw new Error(`expected a multiview result, got ${output.kind}`);
      const { kind: _kind, glb, preview, ...rest } = output;
      return { glb: asBuffer(glb), ...(preview ? { preview: asBuffer(preview) } : {}), ...rest };
    },
    async warmUp() {
      await pool.runOnEach(() => ({ kind: 'warm-up' }));
    },
    close: () => pool.close(),
  };
}

/** The generation options alone, checked here so bad ones reject before a worker is taken. */
function requestOptions({ onProgress: _onProgress, signal: _signal, ...options }: GeneratorPoolOptions): GeneratorRequestOptions {
  resolveGenerateOptions(options);
  return options;
}

/** Bytes go as a copy the worker can own: transferring the caller's memory would detach it under them. */
function ownedPhoto(image: Buffer | string): PhotoSource {
  return typeof image === 'string' ? image : new Uint8Array(image);
}

function transferable(photos: PhotoSource[]): ArrayBuffer[] {
  return photos.flatMap((photo) => (typeof photo === 'string' ? [] : [photo.buffer as ArrayBuffer]));
}
