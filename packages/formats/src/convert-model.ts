import type { ModelFormat } from '@image2model/core/limits';

import { toPrintFrame } from './print-frame.js';
import { readModel } from './read/read-model.js';
import { DEFAULT_WELD_TOLERANCE_METRES, weldByPosition } from './weld.js';
import { write3mf } from './write/write-3mf.js';
import { writeObjZip } from './write/write-obj.js';
import { writePly } from './write/write-ply.js';
import { writeStl } from './write/write-stl.js';
import { writeUsdz } from './write/write-usdz.js';

/** A format other than the GLB itself. */
export type ConvertedFormat = Exclude<ModelFormat, 'glb'>;

export interface ConvertOptions {
  format: ConvertedFormat;
  /** STL and 3MF: the model's height in the print, in millimetres; default: its own size, longest side capped (DEFAULT_PRINT_MAX_SIDE_MM). */
  heightMm?: number;
  /** The 3MF's title (the upload's name). */
  name: string;
}

/**
 * One GLB in another format (on the calling thread; createConverterPool runs it on workers).
 *
 * @example
 * const stl = await convertModel(glb, { format: 'stl', heightMm: 80, name: 'mug' });
 */
export async function convertModel(glb: Uint8Array, options: ConvertOptions): Promise<Uint8Array> {
  const mesh = await readModel(glb);
  switch (options.format) {
    case 'stl':
      return writeStl(toPrintFrame(weldByPosition(mesh, DEFAULT_WELD_TOLERANCE_METRES), options.heightMm));
    case '3mf':
      return write3mf(toPrintFrame(weldByPosition(mesh, DEFAULT_WELD_TOLERANCE_METRES), options.heightMm), options.name);
    case 'obj':
      return writeObjZip(mesh);
    case 'ply':
      return writePly(mesh);
    case 'usdz':
      return writeUsdz(mesh);
  }
}
