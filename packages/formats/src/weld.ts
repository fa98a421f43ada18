import type { ModelMesh } from './model-mesh.js';

/** Positions and triangles only: what a print file holds. */
export interface WeldedMesh {
  positions: Float32Array;
  indices: Uint32Array;
}

/** The weld tolerance print files are written with: far below a printer's resolution, far above float noise. */
export const DEFAULT_WELD_TOLERANCE_METRES = 1e-6;

/**
 * Merges vertices whose positions round to the same point on a grid of `toleranceMetres`, and
 * drops the triangles that collapse. A GLB splits a vertex wherever its UV or normal changes (a
 * texture seam), so a closed model has open edges along its seams until it is welded; STL and 3MF
 * know positions only and must be closed. Two points within the tolerance that straddle a grid
 * line stay apart: seam copies are bit-identical, which is the case this is for.
 *
 * @example
 * const { positions, indices } = weldByPosition(await readModel(glb), 1e-6);
 */
export function weldByPosition(mesh: Pick<ModelMesh, 'positions' | 'indices'>, toleranceMetres: number): WeldedMesh {
  if (!(toleranceMetres > 0)) throw new RangeError(`toleranceMetres must be positive, got ${toleranceMetres}`);
  const { positions, indices } = mesh;
  const vertexCount = positions.length / 3;
  const remap = new Uint32Array(vertexCount);
  const byCell = new Map<string, number>();
  const welded: number[] = [];
  for (let v = 0; v < vertexCount; v++) {
    const x = positions[v * 3]!, y = positions[v * 3 + 1]!, z = positions[v * 3 + 2]!;
    const key = `${Math.round(x / toleranceMetres)},${Math.round(y / toleranceMetres)},${Math.round(z / toleranceMetres)}`;
    let target = byCell.get(key);
    if (target === undefined) {
      target = welded.length / 3;
      byCell.set(key, target);
      welded.push(x, y, z);
    }
    remap[v] = target;
  }
  const kept: number[] = [];
  for (let t = 0; t + 2 < indices.length; t += 3) {
    const a = remap[indices[t]!]!, b = remap[indices[t + 1]!]!, c = remap[indices[t + 2]!]!;
    if (a !== b && b !== c && a !== c) kept.push(a, b, c);
  }
  return { positions: Float32Array.from(welded), indices: Uint32Array.from(kept) };
}
