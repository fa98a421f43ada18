import { uninitialisedFloat32 } from '../memory/scratch-memory.js';
import { distanceTransform2d, FAR } from './distance-transform.js';
import type { SignedField } from './signed-distance.js';

/**
 * Puffball height (Twarog, Tappen & Adelson 2012): the surface of the union of the largest balls
 * inscribed in the silhouette, h(p)² = max over q of r(q)² − |p − q|², with r(q) the distance from
 * q to the silhouette. That max is a generalised distance transform of −r², so it is exact and
 * linear time. Thin parts become round tubes; a disk becomes a hemisphere. Returns pixels of height
 * per field pixel, 0 outside.
 */
export function computePuffballHeight(field: SignedField): Float32Array {
  const grid = negatedSquaredRadii(field.values);
  distanceTransform2d(grid, field.width, field.height);
  return heightsFromEnvelope(grid, field.values);
}

function negatedSquaredRadii(values: Float32Array): Float32Array {
  const grid = uninitialisedFloat32(values.length);
  for (let i = 0; i < grid.length; i++) {
    const radius = values[i]!;
    grid[i] = radius > 0 ? -radius * radius : FAR;
  }
  return grid;
}

/** In place: h = √(−envelope) inside, 0 outside. */
function heightsFromEnvelope(grid: Float32Array, values: Float32Array): Float32Array {
  for (let i = 0; i < grid.length; i++) grid[i] = values[i]! > 0 && grid[i]! < 0 ? Math.sqrt(-grid[i]!) : 0;
  return grid;
}
