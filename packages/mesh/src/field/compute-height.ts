import type { InflationMethod } from '../generate-options.js';
import { computeCardHeight } from './card-height.js';
import { computePoissonHeight } from './poisson-height.js';
import { computePuffballHeight } from './puffball-height.js';
import type { SignedField } from './signed-distance.js';
import { smoothHeight } from './smooth-height.js';

/** Crease smoothing radius as a share of the working image's long side. */
const SMOOTHING_SHARE = 1 / 256;

/** Height above the image plane per field pixel, in pixels: the card slab, or the chosen inflation scaled by `inflation`. */
export function computeHeight(
  field: SignedField,
  input: { method: InflationMethod; inflation: number; card: boolean; imageLongSide: number },
): Float32Array {
  if (input.card) return computeCardHeight(field);
  const heights =
    input.method === 'poisson'
      ? computePoissonHeight(field)
      : smoothHeight(computePuffballHeight(field), field, Math.max(1, Math.round(input.imageLongSide * SMOOTHING_SHARE)));
  for (let i = 0; i < heights.length; i++) heights[i] = heights[i]! * input.inflation;
  return heights;
}
