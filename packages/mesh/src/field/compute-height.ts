import { DEFAULT_INFLATION, type InflationMethod } from '../generate-options.js';
import { computeCardHeight } from './card-height.js';
import { computePoissonHeight } from './poisson-height.js';
import { computePuffballHeight } from './puffball-height.js';
import type { RevolvedBody } from './revolved-body.js';
import { computeRevolvedHeight } from './revolved-height.js';
import type { SignedField } from './signed-distance.js';
import { capThickness } from './slab-cap.js';
import { smoothHeight } from './smooth-height.js';

/** Crease smoothing radius as a share of the working image's long side. */
const SMOOTHING_SHARE = 1 / 256;

/**
 * Height above the image plane per field pixel, in pixels: the card slab; a revolved body (round
 * at the default `inflation`, deeper or flatter in proportion); or the chosen inflation, capped at
 * a thickness that follows the silhouette's proportions, scaled by `inflation`.
 */
export function computeHeight(
  field: SignedField,
  input: { method: InflationMethod; inflation: number; card: boolean; body: RevolvedBody | null; imageLongSide: number; shortSide: number },
): Float32Array {
  if (input.card) return computeCardHeight(field);
  if (input.body) return scale(computeRevolvedHeight(field, input.body), input.inflation / DEFAULT_INFLATION);
  const inflated =
    input.method === 'poisson'
      ? computePoissonHeight(field)
      : smoothHeight(computePuffballHeight(field), field, Math.max(1, Math.round(input.imageLongSide * SMOOTHING_SHARE)));
  return scale(capThickness(inflated, field, input.shortSide), input.inflation);
}

function scale(heights: Float32Array, factor: number): Float32Array {
  for (let i = 0; i < heights.length; i++) heights[i] = heights[i]! * factor;
  return heights;
}
