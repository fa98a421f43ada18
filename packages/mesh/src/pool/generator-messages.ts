import type { GenerateResult, GenerateStats, GenerateWarning } from '../generate-model.js';
import type { InflationMethod } from '../generate-options.js';
import type { MultiviewStats } from '../multiview/generate-multiview-model.js';
import type { ViewName } from '../multiview/view-cameras.js';

/** A photo in a buffer of its own so it can be transferred, or the path of its file (the worker reads it). */
export type PhotoSource = Uint8Array | string;

export type GeneratorRequestOptions = { face_limit: number; inflation?: number; method?: InflationMethod; texture_size?: number };

/** What the main thread asks a generator worker to do. */
export type GeneratorRequest =
  | { kind: 'generate'; image: PhotoSource; options: GeneratorRequestOptions }
  | { kind: 'multiview'; images: Partial<Record<ViewName, PhotoSource>>; options: GeneratorRequestOptions }
  | { kind: 'warm-up' };

export interface GeneratorProgress {
  progress: number;
  stage: string;
}

interface OutputCommon {
  glb: Uint8Array;
  preview?: Uint8Array;
  warnings: GenerateWarning[];
  segmentation: GenerateResult['segmentation'];
}

/** A generation's result as the worker posts it back: one photo's, or several views'. */
export type GeneratorOutput =
  | (OutputCommon & { kind: 'single'; stats: GenerateStats })
  | (OutputCommon & { kind: 'multiview'; stats: MultiviewStats });

/** The bytes as a Buffer without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Bytes in an ArrayBuffer of their own, so posting them can transfer rather than copy: a view
 * into a larger (or pooled) buffer is copied once here instead.
 */
export function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const owns = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return owns ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
