import { DEFAULT_PRINT_MAX_SIDE_MM, MAX_HEIGHT_MM, MIN_HEIGHT_MM } from '@image2model/core/limits';

import type { WeldedMesh } from './weld.js';

/**
 * Moves a mesh from glTF's frame (Y up, metres) into a printer's (Z up, millimetres): turned a
 * quarter about X (a rotation, so faces keep their winding), scaled so its height (glTF's Y
 * extent) is `heightMm`, or by default to its own size in millimetres with its longest side capped
 * at DEFAULT_PRINT_MAX_SIDE_MM; then centred over the origin and stood on Z = 0 (the build plate).
 */
export function toPrintFrame(mesh: WeldedMesh, heightMm?: number): WeldedMesh {
  const { positions } = mesh;
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i += 3) {
    for (let axis = 0; axis < 3; axis++) {
      const value = positions[i + axis]!;
      if (value < min[axis]!) min[axis] = value;
      if (value > max[axis]!) max[axis] = value;
    }
  }
  const size = [0, 1, 2].map((axis) => Math.max(0, max[axis]! - min[axis]!));
  const scale = printScale(size as [number, number, number], heightMm);
  const centre = [0, 1, 2].map((axis) => (min[axis]! + max[axis]!) / 2);
  const out = new Float32Array(positions.length);
  for (let i = 0; i < positions.length; i += 3) {
    // (x, y, z) Y-up → (x, -z, y) Z-up.
    out[i] = (positions[i]! - centre[0]!) * scale;
    out[i + 1] = -(positions[i + 2]! - centre[2]!) * scale;
    out[i + 2] = (positions[i + 1]! - min[1]!) * scale;
  }
  return { positions: out, indices: mesh.indices };
}

/** Millimetres per metre of the model. */
function printScale(sizeMetres: [number, number, number], heightMm: number | undefined): number {
  if (heightMm !== undefined) {
    if (!(heightMm >= MIN_HEIGHT_MM && heightMm <= MAX_HEIGHT_MM)) throw new RangeError(`heightMm must be within ${MIN_HEIGHT_MM}–${MAX_HEIGHT_MM}, got ${heightMm}`);
    return sizeMetres[1] > 0 ? heightMm / sizeMetres[1] : 1000;
  }
  const longest = Math.max(...sizeMetres);
  return longest * 1000 > DEFAULT_PRINT_MAX_SIDE_MM ? DEFAULT_PRINT_MAX_SIDE_MM / longest : 1000;
}
