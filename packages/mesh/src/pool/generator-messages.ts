import type { GenerateNotice, GenerateResult, GenerateStats } from '../generate-model.js';
import type { InflationMethod } from '../generate-options.js';

/** What the main thread asks a generator worker to do. */
export type GeneratorRequest =
  | {
      kind: 'generate';
      /** The photo, in a buffer of its own so it can be transferred, or the path of its file (the worker reads it). */
      image: Uint8Array | string;
      options: { face_limit: number; inflation?: number; method?: InflationMethod; texture_size?: number };
    }
  | { kind: 'warm-up' };

export interface GeneratorProgress {
  progress: number;
  stage: string;
}

export interface GeneratorOutput {
  glb: Uint8Array;
  preview?: Uint8Array;
  warnings: string[];
  notices: GenerateNotice[];
  segmentation: GenerateResult['segmentation'];
  stats: GenerateStats;
}

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
