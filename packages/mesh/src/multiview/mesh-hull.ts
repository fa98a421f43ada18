import { simplifyWithinBudget } from '../geometry/build-surface.js';
import { dropSmallShells } from '../geometry/drop-small-shells.js';
import type { PixelMesh } from '../geometry/pixel-mesh.js';
import { computeHullField, planHullGrid, type HullGrid } from './hull-field.js';
import { marchTetrahedra } from './march-tetrahedra.js';
import type { PlacedView } from './placed-view.js';

export interface HullShape {
  views: readonly PlacedView[];
  /** Half the hull's extent in x and in z, in hull units (its height is 1). */
  halfX: number;
  halfZ: number;
  /** Corner rounding of the cross-sections: 1 makes a square section round. */
  rounding: number;
}

export interface HullMesh {
  /** Closed, outward-wound, in hull space (y up). */
  positions: Float64Array;
  indices: Uint32Array;
  grid: HullGrid;
  field: Float32Array;
}

/**
 * Grid cells along the hull's longest side: 0.6·√faceLimit, within these bounds. Small budgets
 * still start from a fine grid: a coarse one marches rounded corners into steps that the
 * simplifier folds into flaps. Coarser grids, down to the least, are the fallback.
 */
const FIRST_MIN_RESOLUTION = 32;
const MIN_RESOLUTION = 6;
const MAX_RESOLUTION = 96;
const RESOLUTION_PER_ROOT_FACE = 0.6;
/** Coarser grids are tried in steps of this factor when simplification cannot meet the budget. */
const COARSEN_STEP = 1.25;

/**
 * The hull's closed surface within `faceLimit` triangles: carve the field on a grid fine enough
 * for the budget, march it, and simplify it as the single-view surface is simplified (closed, in
 * budget, topology kept); when that fails, carve coarser grids until one fits.
 */
export function meshHull(shape: HullShape, faceLimit: number): HullMesh {
  let resolution = Math.min(MAX_RESOLUTION, Math.max(FIRST_MIN_RESOLUTION, Math.round(RESOLUTION_PER_ROOT_FACE * Math.sqrt(faceLimit))));
  let finest: Omit<HullMesh, 'positions' | 'indices'> | null = null;
  let box: Float64Array | null = null;
  while (resolution >= MIN_RESOLUTION) {
    const grid = planHullGrid(shape.halfX, shape.halfZ, resolution);
    const field = computeHullField(shape.views, grid, shape.rounding);
    finest ??= { grid, field };
    const marched = dropSmallShells(flipY(marchTetrahedra(field, grid)));
    if (marched.indices.length === 0) break;
    box ??= boundingBox(marched.positions);
    const mesh = simplifyWithinBudget(marched, faceLimit);
    if (mesh) return { ...flipY(mesh), grid, field };
    resolution /= COARSEN_STEP;
  }
  if (!finest || !box) throw new Error('the views leave no volume to carve');
  return { ...lowPolyBox(box, faceLimit), ...finest };
}

/** Triangles of a box (from 12 triangles up) or else of a tetrahedron standing in it: the shape when even a coarse hull will not simplify into the budget. */
function lowPolyBox(box: Float64Array, faceLimit: number): { positions: Float64Array; indices: Uint32Array } {
  const [minX, minY, minZ, maxX, maxY, maxZ] = box as unknown as [number, number, number, number, number, number];
  // Flipped back to y up: the box was measured on the y-down mesh.
  const [bottom, top] = [-maxY, -minY];
  const midX = (minX + maxX) / 2, midZ = (minZ + maxZ) / 2;
  const corners =
    faceLimit >= 12
      ? [0, 1, 2, 3, 4, 5, 6, 7].flatMap((c) => [c & 1 ? maxX : minX, c & 2 ? top : bottom, c & 4 ? maxZ : minZ])
      : [minX, bottom, maxZ, maxX, bottom, maxZ, midX, bottom, minZ, midX, top, midZ];
  const faces =
    faceLimit >= 12
      ? [0, 1, 3, 0, 3, 2, 4, 6, 7, 4, 7, 5, 0, 4, 5, 0, 5, 1, 2, 3, 7, 2, 7, 6, 0, 2, 6, 0, 6, 4, 1, 5, 7, 1, 7, 3]
      : [0, 1, 2, 0, 3, 1, 1, 3, 2, 2, 3, 0];
  return { positions: Float64Array.from(corners), indices: orientOutward(corners, faces) };
}

/** Winds each face of a convex solid so its normal points away from the solid's centre. */
function orientOutward(positions: number[], faces: number[]): Uint32Array {
  const count = positions.length / 3;
  const centre = [0, 1, 2].map((axis) => positions.filter((_, i) => i % 3 === axis).reduce((sum, value) => sum + value, 0) / count);
  const indices = Uint32Array.from(faces);
  for (let t = 0; t < indices.length; t += 3) {
    const [a, b, c] = [indices[t]! * 3, indices[t + 1]! * 3, indices[t + 2]! * 3];
    const u = [0, 1, 2].map((axis) => positions[b + axis]! - positions[a + axis]!);
    const v = [0, 1, 2].map((axis) => positions[c + axis]! - positions[a + axis]!);
    const normal = [u[1]! * v[2]! - u[2]! * v[1]!, u[2]! * v[0]! - u[0]! * v[2]!, u[0]! * v[1]! - u[1]! * v[0]!];
    const outward = [0, 1, 2].reduce((sum, axis) => sum + normal[axis]! * (positions[a + axis]! - centre[axis]!), 0);
    if (outward < 0) [indices[t + 1], indices[t + 2]] = [indices[t + 2]!, indices[t + 1]!];
  }
  return indices;
}

/** minX, minY, minZ, maxX, maxY, maxZ. */
function boundingBox(positions: Float64Array): Float64Array {
  const box = Float64Array.of(Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity);
  for (let i = 0; i < positions.length; i++) {
    box[i % 3] = Math.min(box[i % 3]!, positions[i]!);
    box[(i % 3) + 3] = Math.max(box[(i % 3) + 3]!, positions[i]!);
  }
  return box;
}

/**
 * Hull space has y up; the shared meshing checks expect image space, y down. Flipping y keeps
 * the winding, so an outward hull stays outward once flipped back.
 */
function flipY(mesh: PixelMesh): PixelMesh {
  const positions = new Float64Array(mesh.positions);
  for (let i = 1; i < positions.length; i += 3) positions[i] = -positions[i]!;
  return { positions, indices: mesh.indices };
}
