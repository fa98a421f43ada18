import type { ModelMesh } from './model-mesh.js';

/** Positions and triangles only: what a print file holds. */
export interface WeldedMesh {
  positions: Float32Array;
  indices: Uint32Array;
}

/** The weld tolerance print files are written with: 10 µm, far below a printer's resolution, far above float noise. */
export const DEFAULT_WELD_TOLERANCE_METRES = 1e-5;

/**
 * Merges each vertex into the first earlier one within `toleranceMetres` on every axis, and drops
 * the triangles that collapse. A GLB splits a vertex wherever its UV or normal changes (a texture
 * seam), so a closed model has open edges along its seams until it is welded; STL and 3MF know
 * positions only and must be closed. Vertices are bucketed on a grid of the tolerance and each is
 * compared with the 27 cells around it, so two points within the tolerance merge even where a
 * grid line runs between them.
 *
 * @example
 * const { positions, indices } = weldByPosition(await readModel(glb), DEFAULT_WELD_TOLERANCE_METRES);
 */
export function weldByPosition(mesh: Pick<ModelMesh, 'positions' | 'indices'>, toleranceMetres: number): WeldedMesh {
  if (!(toleranceMetres > 0)) throw new RangeError(`toleranceMetres must be positive, got ${toleranceMetres}`);
  const { positions, indices } = mesh;
  const vertexCount = positions.length / 3;
  const remap = new Uint32Array(vertexCount);
  // Hash of a cell → the welded vertices in it; a collision only costs a distance check.
  const buckets = new Map<number, number[]>();
  const welded = new Float32Array(positions.length);
  let weldedCount = 0;
  const cell = (value: number): number => Math.floor(value / toleranceMetres);
  const hash = (ix: number, iy: number, iz: number): number => Math.imul(ix, 73856093) ^ Math.imul(iy, 19349663) ^ Math.imul(iz, 83492791);
  const near = (candidate: number, x: number, y: number, z: number): boolean =>
    Math.abs(welded[candidate * 3]! - x) <= toleranceMetres && Math.abs(welded[candidate * 3 + 1]! - y) <= toleranceMetres && Math.abs(welded[candidate * 3 + 2]! - z) <= toleranceMetres;
  for (let v = 0; v < vertexCount; v++) {
    const x = positions[v * 3]!, y = positions[v * 3 + 1]!, z = positions[v * 3 + 2]!;
    const ix = cell(x), iy = cell(y), iz = cell(z);
    let target = -1;
    for (let dx = -1; dx <= 1 && target < 0; dx++) {
      for (let dy = -1; dy <= 1 && target < 0; dy++) {
        for (let dz = -1; dz <= 1 && target < 0; dz++) {
          for (const candidate of buckets.get(hash(ix + dx, iy + dy, iz + dz)) ?? []) {
            if (near(candidate, x, y, z)) {
              target = candidate;
              break;
            }
          }
        }
      }
    }
    if (target < 0) {
      target = weldedCount++;
      welded.set([x, y, z], target * 3);
      const key = hash(ix, iy, iz);
      const bucket = buckets.get(key);
      if (bucket) bucket.push(target);
      else buckets.set(key, [target]);
    }
    remap[v] = target;
  }
  const kept = new Uint32Array(indices.length);
  let keptCount = 0;
  for (let t = 0; t + 2 < indices.length; t += 3) {
    const a = remap[indices[t]!]!, b = remap[indices[t + 1]!]!, c = remap[indices[t + 2]!]!;
    if (a === b || b === c || a === c) continue;
    kept[keptCount++] = a;
    kept[keptCount++] = b;
    kept[keptCount++] = c;
  }
  return { positions: welded.slice(0, weldedCount * 3), indices: kept.slice(0, keptCount) };
}
