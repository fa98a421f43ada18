import sharp from 'sharp';

import type { TextureRect } from '../geometry/place-model.js';
import type { RgbaImage } from '../image/rgba-image.js';
import { uninitialisedFloat32, uninitialisedUint8 } from '../memory/scratch-memory.js';

/** A texture-sized raster before bleeding: colour (3 floats per texel) and how much of it is trusted (0–1). */
export interface WeightedRaster {
  rgb: Float32Array;
  weights: Float32Array;
  width: number;
  height: number;
}

/**
 * Resamples the rect of the photo to the texture's size, weighting every source pixel by its
 * trust, so untrusted (background) colour never mixes into a texel: a texel straddling the rim
 * gets only the object's colour, with a weight below 1. Enlarging is bilinear, here (libvips is
 * slow at it); shrinking goes through sharp with trust as premultiplied alpha.
 */
export async function resampleCrop(image: RgbaImage, trusted: Uint8Array, rect: TextureRect, size: { width: number; height: number }): Promise<WeightedRaster> {
  const target: WeightedRaster = { ...size, rgb: uninitialisedFloat32(size.width * size.height * 3), weights: uninitialisedFloat32(size.width * size.height) };
  if (size.width >= rect.width && size.height >= rect.height) {
    enlarge(image, trusted, rect, target);
    return target;
  }
  const crop = cropWithTrustAsAlpha(image, trusted, rect);
  const shrunk = await sharp(crop, { raw: { width: rect.width, height: rect.height, channels: 4 } })
    .resize(size.width, size.height, { fit: 'fill' })
    .raw()
    .toBuffer();
  unpackShrunk(shrunk, target);
  return target;
}

/** Bilinear, with the four taps weighted by trust and renormalised. */
function enlarge(image: RgbaImage, trusted: Uint8Array, rect: TextureRect, target: WeightedRaster): void {
  const { width, height, rgb, weights } = target;
  const scaleX = rect.width / width;
  const scaleY = rect.height / height;
  for (let ty = 0; ty < height; ty++) {
    const sy = Math.min(rect.height - 1, Math.max(0, (ty + 0.5) * scaleY - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(rect.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let tx = 0; tx < width; tx++) {
      const sx = Math.min(rect.width - 1, Math.max(0, (tx + 0.5) * scaleX - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(rect.width - 1, x0 + 1);
      const fx = sx - x0;
      const row0 = (rect.y + y0) * image.width + rect.x;
      const row1 = (rect.y + y1) * image.width + rect.x;
      const w00 = (1 - fx) * (1 - fy) * trusted[row0 + x0]!;
      const w10 = fx * (1 - fy) * trusted[row0 + x1]!;
      const w01 = (1 - fx) * fy * trusted[row1 + x0]!;
      const w11 = fx * fy * trusted[row1 + x1]!;
      const sum = w00 + w10 + w01 + w11;
      const texel = ty * width + tx;
      weights[texel] = sum;
      for (let channel = 0; channel < 3; channel++) {
        const value =
          w00 * image.data[(row0 + x0) * 4 + channel]! +
          w10 * image.data[(row0 + x1) * 4 + channel]! +
          w01 * image.data[(row1 + x0) * 4 + channel]! +
          w11 * image.data[(row1 + x1) * 4 + channel]!;
        rgb[texel * 3 + channel] = sum > 0 ? value / sum : 0;
      }
    }
  }
}

function cropWithTrustAsAlpha(image: RgbaImage, trusted: Uint8Array, rect: TextureRect): Uint8Array {
  const crop = uninitialisedUint8(rect.width * rect.height * 4);
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      const source = (rect.y + y) * image.width + rect.x + x;
      const target = (y * rect.width + x) * 4;
      crop[target] = image.data[source * 4]!;
      crop[target + 1] = image.data[source * 4 + 1]!;
      crop[target + 2] = image.data[source * 4 + 2]!;
      crop[target + 3] = trusted[source] === 1 ? 255 : 0;
    }
  }
  return crop;
}

/** sharp resizes with premultiplied alpha and hands back straight colour: alpha is the trust. */
function unpackShrunk(shrunk: Uint8Array, target: WeightedRaster): void {
  for (let texel = 0; texel < target.weights.length; texel++) {
    target.rgb[texel * 3] = shrunk[texel * 4]!;
    target.rgb[texel * 3 + 1] = shrunk[texel * 4 + 1]!;
    target.rgb[texel * 3 + 2] = shrunk[texel * 4 + 2]!;
    target.weights[texel] = shrunk[texel * 4 + 3]! / 255;
  }
}
