import { DEFAULT_FACE_LIMIT, MAX_FACE_LIMIT, MIN_FACE_LIMIT } from './limits.js';

export type InflationMethod = 'puffball' | 'poisson';

export interface GenerateOptions {
  /** Hard upper bound on the model's triangles, from 4 to 200,000. @default 10_000 */
  face_limit?: number;
  /**
   * Depth scale: 1 makes a disk a sphere, smaller values flatten the model. A revolved body (a bottle,
   * a mug) is round at the default and deepens or flattens in proportion. @default 0.75
   */
  inflation?: number;
  /**
   * How an inflated shape is inflated: `puffball` keeps thin parts round; `poisson` is smoother but
   * fattens them. A revolved body's handles are always Puffball tubes. @default 'puffball'
   */
  method?: InflationMethod;
  /** Longest texture edge in pixels, a power of two from 16 to 4096. @default 1024 */
  texture_size?: number;
  /** Render a PNG turntable frame of the model. @default true (256 px) */
  preview?: boolean | { size?: number };
  /** Called with an integer 0–100 that never decreases, and the stage just reached. */
  onProgress?: (progress: number, stage: string) => void;
}

export interface ResolvedOptions {
  faceLimit: number;
  inflation: number;
  method: InflationMethod;
  textureSize: number;
  previewSize: number | null;
  onProgress: (progress: number, stage: string) => void;
}

/** Also the depth scale at which a revolved body is round. */
export const DEFAULT_INFLATION = 0.75;
const DEFAULT_TEXTURE_SIZE = 1024;
const DEFAULT_PREVIEW_SIZE = 256;
const MAX_INFLATION = 4;
const MIN_TEXTURE_SIZE = 16;
const MAX_TEXTURE_SIZE = 4096;
const MAX_PREVIEW_SIZE = 2048;

/** Fills in defaults and rejects out-of-range options with a RangeError before any work starts. */
export function resolveGenerateOptions(options: GenerateOptions = {}): ResolvedOptions {
  const faceLimit = options.face_limit ?? DEFAULT_FACE_LIMIT;
  if (!Number.isInteger(faceLimit) || faceLimit < MIN_FACE_LIMIT || faceLimit > MAX_FACE_LIMIT) {
    throw new RangeError(`face_limit must be an integer from ${MIN_FACE_LIMIT} to ${MAX_FACE_LIMIT}, got ${faceLimit}`);
  }
  const inflation = options.inflation ?? DEFAULT_INFLATION;
  if (!Number.isFinite(inflation) || inflation <= 0 || inflation > MAX_INFLATION) {
    throw new RangeError(`inflation must be a number above 0 and at most ${MAX_INFLATION}, got ${inflation}`);
  }
  const method = options.method ?? 'puffball';
  if (method !== 'puffball' && method !== 'poisson') {
    throw new RangeError(`method must be 'puffball' or 'poisson', got ${String(method)}`);
  }
  const textureSize = options.texture_size ?? DEFAULT_TEXTURE_SIZE;
  if (!isPowerOfTwo(textureSize) || textureSize < MIN_TEXTURE_SIZE || textureSize > MAX_TEXTURE_SIZE) {
    throw new RangeError(`texture_size must be a power of two from ${MIN_TEXTURE_SIZE} to ${MAX_TEXTURE_SIZE}, got ${textureSize}`);
  }
  return {
    faceLimit,
    inflation,
    method,
    textureSize,
    previewSize: resolvePreviewSize(options.preview),
    onProgress: options.onProgress ?? (() => {}),
  };
}

function resolvePreviewSize(preview: GenerateOptions['preview']): number | null {
  if (preview === false) return null;
  const size = (typeof preview === 'object' ? preview.size : undefined) ?? DEFAULT_PREVIEW_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PREVIEW_SIZE) {
    throw new RangeError(`preview.size must be an integer from 1 to ${MAX_PREVIEW_SIZE}, got ${size}`);
  }
  return size;
}

function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value > 0 && (value & (value - 1)) === 0;
}
