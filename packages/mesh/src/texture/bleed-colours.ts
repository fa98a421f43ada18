import { scratchFloat32 } from '../memory/scratch-memory.js';
/**
 * Push-pull colour bleeding (Gortler et al. 1996), in place: pixels with weight below 1 take
 * colour from a pyramid of weighted averages, so everything around the object carries the
 * object's own edge colours. Texture filtering and mipmaps at the silhouette then never mix in
 * the background (no halo). `rgb` holds 3 floats per pixel; `weights` 0…1 per pixel.
 */
export function bleedColours(rgb: Float32Array, weights: Float32Array, width: number, height: number): void {
  if (width <= 1 && height <= 1) return;
  const coarseWidth = Math.ceil(width / 2);
  const coarseHeight = Math.ceil(height / 2);
  const coarseRgb = scratchFloat32(coarseWidth * coarseHeight * 3);
  const coarseWeights = scratchFloat32(coarseWidth * coarseHeight);
  push({ rgb, weights, width, height }, { rgb: coarseRgb, weights: coarseWeights, width: coarseWidth, height: coarseHeight });
  bleedColours(coarseRgb, coarseWeights, coarseWidth, coarseHeight);
  pull({ rgb, weights, width, height }, { rgb: coarseRgb, weights: coarseWeights, width: coarseWidth, height: coarseHeight });
}

interface Level {
  rgb: Float32Array;
  weights: Float32Array;
  width: number;
  height: number;
}

/** Each coarse pixel: the weighted mean of its 2×2 block, with weight min(1, Σ weights). */
function push(fine: Level, coarse: Level): void {
  for (let y = 0; y < fine.height; y++) {
    for (let x = 0; x < fine.width; x++) {
      const weight = fine.weights[y * fine.width + x]!;
      if (weight === 0) continue;
      const source = (y * fine.width + x) * 3;
      const target = (y >> 1) * coarse.width + (x >> 1);
      coarse.weights[target]! += weight;
      coarse.rgb[target * 3]! += weight * fine.rgb[source]!;
      coarse.rgb[target * 3 + 1]! += weight * fine.rgb[source + 1]!;
      coarse.rgb[target * 3 + 2]! += weight * fine.rgb[source + 2]!;
    }
  }
  normaliseLevel(coarse);
}

/** Weighted sums to weighted means; weights capped at 1. */
function normaliseLevel(coarse: Level): void {
  for (let i = 0; i < coarse.weights.length; i++) {
    const sum = coarse.weights[i]!;
    if (sum === 0) continue;
    coarse.rgb[i * 3]! /= sum;
    coarse.rgb[i * 3 + 1]! /= sum;
    coarse.rgb[i * 3 + 2]! /= sum;
    coarse.weights[i] = Math.min(1, sum);
  }
}

/** Blends each under-weighted fine pixel with the bilinearly upsampled coarse level. */
function pull(fine: Level, coarse: Level): void {
  for (let y = 0; y < fine.height; y++) {
    const v = Math.min(coarse.height - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.floor(v);
    const y1 = Math.min(coarse.height - 1, y0 + 1);
    const ty = v - y0;
    for (let x = 0; x < fine.width; x++) {
      const index = y * fine.width + x;
      const weight = fine.weights[index]!;
      if (weight >= 1) continue;
      const u = Math.min(coarse.width - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.floor(u);
      const x1 = Math.min(coarse.width - 1, x0 + 1);
      const tx = u - x0;
      const w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty;
      const a = (y0 * coarse.width + x0) * 3, b = (y0 * coarse.width + x1) * 3;
      const c = (y1 * coarse.width + x0) * 3, d = (y1 * coarse.width + x1) * 3;
      for (let channel = 0; channel < 3; channel++) {
        const upsampled =
          w00 * coarse.rgb[a + channel]! + w10 * coarse.rgb[b + channel]! + w01 * coarse.rgb[c + channel]! + w11 * coarse.rgb[d + channel]!;
        fine.rgb[index * 3 + channel] = weight * fine.rgb[index * 3 + channel]! + (1 - weight) * upsampled;
      }
      fine.weights[index] = 1;
    }
  }
}
