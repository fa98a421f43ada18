import { uninitialisedFloat32 } from '../memory/scratch-memory.js';
import type { SignedField } from './signed-distance.js';

/** Half the card's thickness, as a share of the photo's short side. */
const CARD_HALF_THICKNESS = 0.04;

/**
 * The card fallback: a slab with a flat face (the photo undistorted) and rounded edges, a quarter
 * circle of radius `band` around the rim. Pixels of height per field pixel, 0 outside.
 */
export function computeCardHeight(field: SignedField): Float32Array {
  const { values, width, height } = field;
  // A card's field is the whole photo plus one pixel of padding on each side.
  const band = Math.max(0.5, CARD_HALF_THICKNESS * (Math.min(width, height) - 2));
  const heights = uninitialisedFloat32(values.length);
  for (let i = 0; i < heights.length; i++) {
    const t = 1 - Math.min(1, Math.max(0, values[i]!) / band);
    heights[i] = band * Math.sqrt(1 - t * t);
  }
  return heights;
}
