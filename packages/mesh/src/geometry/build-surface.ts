import type { SignedField } from '../field/signed-distance.js';
import { MIN_FACE_LIMIT_FOR_TOPOLOGY } from '../limits.js';
import type { MaskBounds } from '../mask/mask-bounds.js';
import { scratchUint8, uninitialisedFloat64 } from '../memory/scratch-memory.js';
import { findClosedMeshProblem } from './check-closed-mesh.js';
import { buildLensMesh } from './lens-mesh.js';
import { marchClosedSurface } from './march-closed-surface.js';
import type { PixelMesh } from './pixel-mesh.js';
import { gridWithSpacing, planGrid } from './plan-grid.js';
import { simplifyMesh } from './simplify-mesh.js';

export interface SurfaceInput {
  field: SignedField;
  /** Height in pixels per field pixel (inflation already applied). */
  heights: Float32Array;
  bounds: MaskBounds;
  imageLongSide: number;
  faceLimit: number;
}

export interface Surface {
  mesh: PixelMesh;
  /** How the budget was met: simplified from a finer mesh, marched coarsely, or the low-poly lens. */
  route: 'simplified' | 'coarse' | 'lens';
}

/** Coarser grids are tried in steps of this factor when simplification cannot meet the budget. */
const COARSEN_STEP = 1.25;
const MAX_COARSEN_STEPS = 12;

/**
 * The closed surface within `faceLimit` triangles. March a grid with ~4× the budget (more detail
 * for the simplifier to choose from), simplify, and verify; if that fails, march ever coarser
 * grids until one fits; if even that fails, fall back to the low-poly lens. Every route ends in
 * a checked closed 2-manifold.
 */
export function buildSurface(input: SurfaceInput): Surface {
  const { faceLimit } = input;
  const grid = planGrid(input.bounds, input.imageLongSide, preSimplificationTriangles(faceLimit));
  const marched = marchClosedSurface(input.field, input.heights, grid);
  const candidate = triangleCount(marched) <= faceLimit ? marched : simplifyMesh(marched, faceLimit);
  const topologyKept = faceLimit < MIN_FACE_LIMIT_FOR_TOPOLOGY || sameTopology(candidate, marched);
  if (topologyKept && fits(candidate, faceLimit)) return { mesh: candidate, route: 'simplified' };
  // Start near the spacing whose grid would hold the budget unsimplified, not at the fine grid.
  let spacing = Math.max(grid.spacing, Math.sqrt((4 * input.bounds.area) / faceLimit) / COARSEN_STEP);
  for (let step = 0; step < MAX_COARSEN_STEPS; step++) {
    spacing *= COARSEN_STEP;
    const coarse = marchClosedSurface(input.field, input.heights, gridWithSpacing(input.bounds, spacing));
    if (triangleCount(coarse) === 0) break;
    if (fits(coarse, faceLimit)) return { mesh: coarse, route: 'coarse' };
  }
  return { mesh: buildLensMesh(input.field, faceLimit, maxHeight(input.heights)), route: 'lens' };
}

/** About 4× the budget, less at the top end where memory and time would balloon for no visible gain. */
function preSimplificationTriangles(faceLimit: number): number {
  return Math.min(4 * faceLimit, faceLimit + 200_000);
}

function triangleCount(mesh: PixelMesh): number {
  return mesh.indices.length / 3;
}

function fits(mesh: PixelMesh, faceLimit: number): boolean {
  const triangles = triangleCount(mesh);
  return triangles > 0 && triangles <= faceLimit && findClosedMeshProblem(mesh.indices, negateY(mesh.positions)) === null;
}

/** Same Euler characteristic (V − F/2 for a closed mesh): no handle closed, no component lost. */
function sameTopology(a: PixelMesh, b: PixelMesh): boolean {
  return eulerCharacteristic(a) === eulerCharacteristic(b);
}

function eulerCharacteristic(mesh: PixelMesh): number {
  const used = scratchUint8(mesh.positions.length / 3);
  let vertices = 0;
  for (let i = 0; i < mesh.indices.length; i++) {
    const vertex = mesh.indices[i]!;
    if (used[vertex] === 0) vertices++;
    used[vertex] = 1;
  }
  return vertices - triangleCount(mesh) / 2;
}

/** The volume check expects y up; image space has y down. */
function negateY(positions: Float64Array): Float64Array {
  const flipped = uninitialisedFloat64(positions.length);
  for (let i = 0; i < flipped.length; i++) flipped[i] = i % 3 === 1 ? -positions[i]! : positions[i]!;
  return flipped;
}

function maxHeight(heights: Float32Array): number {
  let max = 0.5;
  for (let i = 0; i < heights.length; i++) if (heights[i]! > max) max = heights[i]!;
  return max;
}
