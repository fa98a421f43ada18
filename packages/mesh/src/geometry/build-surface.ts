import type { SimplifierFlags } from 'meshoptimizer';

import type { SignedField } from '../field/signed-distance.js';
import { MIN_FACE_LIMIT_FOR_TOPOLOGY } from '../limits.js';
import type { MaskBounds } from '../mask/mask-bounds.js';
import { scratchUint8, uninitialisedFloat64 } from '../memory/scratch-memory.js';
import { findClosedMeshProblem } from './check-closed-mesh.js';
import { dropSmallShells } from './drop-small-shells.js';
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
  /** How the budget was met: marched (and simplified) as planned, marched coarsely, or the low-poly lens. */
  route: 'planned' | 'coarse' | 'lens';
}

/**
 * Simplifications to try in turn: flags, and the share of the budget to aim for. Edge collapses
 * in thin parts occasionally join the front and back sheets (about 1 run in 100); another
 * collapse order rarely does the same.
 */
const SIMPLIFIER_ATTEMPTS: { flags: SimplifierFlags[]; share: number }[] = [
  { flags: ['Prune'], share: 1 },
  { flags: ['Prune', 'RegularizeLight'], share: 1 },
  { flags: ['Prune'], share: 0.97 },
];
/** Coarser grids are tried in steps of this factor when simplification cannot meet the budget. */
const COARSEN_STEP = 1.25;
const MAX_COARSEN_STEPS = 12;

/**
 * The closed surface within `faceLimit` triangles. March a grid with ~4× the budget (more detail
 * for the simplifier to choose from), simplify, and verify; if that fails, march ever coarser
 * grids until one fits; if even that fails, fall back to the low-poly lens. Every route ends in
 * a checked closed 2-manifold; from MIN_FACE_LIMIT_FOR_TOPOLOGY up, also one with the marched
 * surface's topology.
 */
export function buildSurface(input: SurfaceInput): Surface {
  const { faceLimit } = input;
  const grid = planGrid(input.bounds, input.imageLongSide, preSimplificationTriangles(faceLimit));
  const marched = dropSmallShells(marchClosedSurface(input.field, input.heights, grid));
  const planned = simplifyWithinBudget(marched, faceLimit);
  if (planned) return { mesh: planned, route: 'planned' };
  // Start near the spacing whose grid would hold the budget unsimplified, not at the fine grid.
  let spacing = Math.max(grid.spacing, Math.sqrt((4 * input.bounds.area) / faceLimit) / COARSEN_STEP);
  let fallback: PixelMesh | null = null;
  for (let step = 0; step < MAX_COARSEN_STEPS; step++) {
    spacing *= COARSEN_STEP;
    const coarse = dropSmallShells(marchClosedSurface(input.field, input.heights, gridWithSpacing(input.bounds, spacing)));
    if (triangleCount(coarse) === 0) break;
    if (!fits(coarse, faceLimit)) continue;
    if (faceLimit < MIN_FACE_LIMIT_FOR_TOPOLOGY || sameTopology(coarse, marched)) return { mesh: coarse, route: 'coarse' };
    // Lost a hole to the coarse grid: still better than the lens, if nothing better comes.
    fallback ??= coarse;
  }
  if (fallback) return { mesh: fallback, route: 'coarse' };
  return { mesh: buildLensMesh(input.field, faceLimit, maxHeight(input.heights)), route: 'lens' };
}

/**
 * The marched mesh itself when it fits, else the first simplification of it that is closed, within
 * the budget and (from MIN_FACE_LIMIT_FOR_TOPOLOGY up) of the same topology; null when none is.
 */
export function simplifyWithinBudget(marched: PixelMesh, faceLimit: number): PixelMesh | null {
  if (triangleCount(marched) <= faceLimit && fits(marched, faceLimit)) return marched;
  for (const { flags, share } of SIMPLIFIER_ATTEMPTS) {
    const simplified = simplifyMesh(marched, Math.max(1, Math.floor(faceLimit * share)), flags);
    const topologyKept = faceLimit < MIN_FACE_LIMIT_FOR_TOPOLOGY || sameTopology(simplified, marched);
    if (topologyKept && fits(simplified, faceLimit)) return simplified;
  }
  return null;
}

/** About 4× the budget, less at the top end where memory and time would balloon for no visible gain. */
function preSimplificationTriangles(faceLimit: number): number {
  return Math.min(4 * faceLimit, faceLimit + 200_000);
}

function triangleCount(mesh: PixelMesh): number {
  return mesh.indices.length / 3;
}

/** Closed, consistently wound, outward-facing and within the budget. */
export function fits(mesh: PixelMesh, faceLimit: number): boolean {
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
