import type { SignedField } from './signed-distance.js';

/** The thickest an inflated shape gets, each side of its plane, as a share of its bounds' short side. */
const MAX_HALF_THICKNESS = 0.25;

/**
 * In place: no thicker than a rounded slab whose half-thickness H follows the silhouette's
 * proportions (MAX_HALF_THICKNESS of its bounds' short side), rounded over the rim by a quarter
 * circle of radius H. Inflation alone makes every broad part as deep as it is wide, a pillow that
 * is lens-shaped from the side; a label, a box or a logo is a slab. Parts thinner than 2H keep
 * their round inflated profile: for a tube of radius ρ ≤ H the slab is never the lower one.
 */
export function capThickness(heights: Float32Array, field: SignedField, shortSide: number): Float32Array {
  const cap = Math.max(0.5, MAX_HALF_THICKNESS * shortSide);
  const { values } = field;
  for (let i = 0; i < heights.length; i++) {
    const depth = Math.min(cap, Math.max(0, values[i]!));
    heights[i] = Math.min(heights[i]!, Math.sqrt(depth * (2 * cap - depth)));
  }
  return heights;
}
