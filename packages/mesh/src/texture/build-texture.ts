import sharp from 'sharp';

import type { TextureRect } from '../geometry/place-model.js';
import type { RgbaImage } from '../image/rgba-image.js';
import { uninitialisedUint8 } from '../memory/scratch-memory.js';
import { bleedColours } from './bleed-colours.js';
import { resampleCrop } from './resample-crop.js';

export interface Texture {
  /** The texture as stored in the GLB. */
  jpeg: Buffer;
  /** The same pixels before compression, RGBA, for the preview renderer. */
  rgba: Uint8Array;
  width: number;
  height: number;
}

const MIN_TEXTURE_EDGE = 16;
const JPEG_QUALITY = 85;

/**
 * The photo's `rect` as a texture with power-of-two sides no longer than `maxEdge` (so mipmapping
 * works everywhere), every untrusted texel (background, and the anti-aliased ring where the
 * object's edge blends into it) filled with bled object colour.
 */
export async function buildTexture(image: RgbaImage, trusted: Uint8Array, rect: TextureRect, maxEdge: number): Promise<Texture> {
  const width = powerOfTwoEdge(rect.width, rect, maxEdge);
  const height = powerOfTwoEdge(rect.height, rect, maxEdge);
  const raster = await resampleCrop(image, trusted, rect, { width, height });
  return finishTexture(raster.rgb, raster.weights, width, height);
}

/**
 * A texture from colours with trust weights (0…1 per texel; 3 floats of colour per texel): every
 * texel under full weight filled with bled colour, then compressed.
 */
export async function finishTexture(rgb: Float32Array, weights: Float32Array, width: number, height: number): Promise<Texture> {
  if (hasTrustedTexel(weights)) bleedColours(rgb, weights, width, height);
  const rgba = toRgba(rgb);
  const jpeg = await sharp(rgba, { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer();
  return { jpeg, rgba, width, height };
}

function hasTrustedTexel(weights: Float32Array): boolean {
  for (let i = 0; i < weights.length; i++) if (weights[i]! > 0) return true;
  return false;
}

function toRgba(rgb: Float32Array): Uint8Array {
  const count = rgb.length / 3;
  const rgba = uninitialisedUint8(count * 4);
  for (let i = 0; i < count; i++) {
    rgba[i * 4] = Math.round(rgb[i * 3]!);
    rgba[i * 4 + 1] = Math.round(rgb[i * 3 + 1]!);
    rgba[i * 4 + 2] = Math.round(rgb[i * 3 + 2]!);
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

/** One side of the texture: the rect scaled to fit `maxEdge`, rounded to the nearest power of two. */
function powerOfTwoEdge(side: number, rect: TextureRect, maxEdge: number): number {
  const scale = Math.min(1, maxEdge / Math.max(rect.width, rect.height));
  const rounded = 2 ** Math.round(Math.log2(Math.max(1, side * scale)));
  return Math.min(maxEdge, Math.max(MIN_TEXTURE_EDGE, rounded));
}
