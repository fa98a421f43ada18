import type { MaskBounds } from '../mask/mask-bounds.js';
import { uninitialisedFloat32 } from '../memory/scratch-memory.js';
import { euclideanDistanceTransform2d, FAR } from './distance-transform.js';

/**
 * Signed distance to the silhouette, in pixels: positive inside, ±0.5 at pixels next to the
 * boundary, which puts the zero crossing on the pixel edge (a sub-pixel silhouette). It covers a
 * window of the image: the object's bounds grown by a margin, where the mesh samples it, and at
 * most one pixel beyond the image on each side, so an object touching the edge still gets a rim.
 * Field pixel (i, j) is image pixel (left + i, top + j), centred at (left + i + 0.5, top + j + 0.5).
 * Beyond the window the field reads as its edge, which is outside.
 */
export interface SignedField {
  values: Float32Array;
  /** Squared Euclidean distance from each inside pixel to the nearest outside pixel centre (0 outside). */
  insideSquared: Float32Array;
  width: number;
  height: number;
  left: number;
  top: number;
}

export function computeSignedDistance(
  mask: Uint8Array,
  image: { width: number; height: number },
  window: { bounds: MaskBounds; margin: number },
): SignedField {
  const { bounds, margin } = window;
  const left = Math.max(-1, bounds.minX - margin);
  const top = Math.max(-1, bounds.minY - margin);
  const width = Math.min(image.width, bounds.maxX + 1 + margin) - left + 1;
  const height = Math.min(image.height, bounds.maxY + 1 + margin) - top + 1;
  const crop = { mask, imageWidth: image.width, imageHeight: image.height, left, top, width, height };
  const insideSquared = cropMask(crop, FAR, 0);
  const outsideSquared = cropMask(crop, 0, FAR);
  euclideanDistanceTransform2d(insideSquared, width, height);
  euclideanDistanceTransform2d(outsideSquared, width, height);
  return { values: combineSigned(insideSquared, outsideSquared), insideSquared, width, height, left, top };
}

interface MaskCrop {
  mask: Uint8Array;
  imageWidth: number;
  imageHeight: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The window of the mask, with `inside` and `outside` as values; pixels beyond the image are outside. */
function cropMask(crop: MaskCrop, inside: number, outside: number): Float32Array {
  const { mask, imageWidth, imageHeight, left, top, width, height } = crop;
  const values = uninitialisedFloat32(width * height);
  for (let j = 0; j < height; j++) {
    const y = top + j;
    for (let i = 0; i < width; i++) {
      const x = left + i;
      const isInside = x >= 0 && y >= 0 && x < imageWidth && y < imageHeight && mask[y * imageWidth + x] !== 0;
      values[j * width + i] = isInside ? inside : outside;
    }
  }
  return values;
}

/** The signed field, written over `outsideSquared`. */
function combineSigned(insideSquared: Float32Array, outsideSquared: Float32Array): Float32Array {
  const values = outsideSquared;
  for (let i = 0; i < values.length; i++) {
    const inside = insideSquared[i]!;
    const outside = outsideSquared[i]!;
    // An object-free mask leaves FAR everywhere outside; any large negative value will do there.
    values[i] = inside > 0 ? Math.sqrt(inside) - 0.5 : outside >= FAR ? -1e6 : 0.5 - Math.sqrt(outside);
  }
  return values;
}
