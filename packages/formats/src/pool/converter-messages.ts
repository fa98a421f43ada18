import type { ConvertOptions } from '../convert-model.js';

/** What the main thread asks a converter worker: the GLB (transferred) and what to make of it. */
export interface ConvertRequest {
  glb: Uint8Array;
  options: ConvertOptions;
}
