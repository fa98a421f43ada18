import sharp from 'sharp';

import type { TextureRect } from '../geometry/place-model.js';
import type { RgbaImage } from '../image/rgba-image.js';
import { uninitialisedFloat32, uninitialisedUint8 } from '../memory/scratch-memory.js';
import { bleedColours } from './bleed-colours.js';

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
 * Crops the photo to `rect`, replaces every untrusted pixel (background, and the anti-aliased
 * ring where the object's edge blends into it) with bled object colour, and resizes to power-of-two
 * sides no longer than `maxEdge`, so mipmapping works everywhere.
 */
export async function buildTexture(image: RgbaImage, trusted: Uint8Array, rect: TextureRect, maxEdge: number): Promise<Texture> {
  const crop = bleedCrop(image, trusted, rect);
  const width = powerOfTwoEdge(rect.width, rect.width, rect.height, maxEdge);
  const height = powerOfTwoEdge(rect.height, rect.width, rect.height, maxEdge);
  const raw = { raw: { width: rect.width, height: rect.height, channels: 4 as const } };
  const resized = await sharp(crop, raw).resize(width, height, { fit: 'fill' }).raw().toBuffer();
  const jpeg = await sharp(resized, { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer();
  return { jpeg, rgba: new Uint8Array(resized.buffer, resized.byteOffset, resized.byteLength), width, height };
}

function bleedCrop(image: RgbaImage, trusted: Uint8Array, rect: TextureRect): Uint8Array {
  const count = rect.width * rect.height;
  const rgb = uninitialisedFloat32(count * 3);
  const weights = uninitialisedFloat32(count);
  const trustedCount = gatherCrop(image, trusted, rect, { rgb, weights });
  if (trustedCount > 0 && trustedCount < count) bleedColours(rgb, weights, rect.width, rect.height);
  return toRgba(rgb);
}

/** Copies the rect's colours and trust into float buffers; returns how many pixels are trusted. */
function gatherCrop(image: RgbaImage, trusted: Uint8Array, rect: TextureRect, target: { rgb: Float32Array; weights: Float32Array }): number {
  const { rgb, weights } = target;
  let trustedCount = 0;
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      const pixel = (rect.y + y) * image.width + rect.x + x;
      const target = y * rect.width + x;
      rgb[target * 3] = image.data[pixel * 4]!;
      rgb[target * 3 + 1] = image.data[pixel * 4 + 1]!;
      rgb[target * 3 + 2] = image.data[pixel * 4 + 2]!;
      weights[target] = trusted[pixel]!;
      trustedCount += trusted[pixel]!;
    }
  }
  return trustedCount;
}

function toRgba(rgb: Float32Array): Uint8Array {
  const count = rgb.length / 3;
  const rgba = uninitialisedUint8(count * 4).fill(255);
  for (let i = 0; i < count; i++) {
    rgba[i * 4] = Math.round(rgb[i * 3]!);
    rgba[i * 4 + 1] = Math.round(rgb[i * 3 + 1]!);
    rgba[i * 4 + 2] = Math.round(rgb[i * 3 + 2]!);
  }
  return rgba;
}

/** One side of the texture: the rect scaled to fit `maxEdge`, rounded to the nearest power of two. */
function powerOfTwoEdge(side: number, rectWidth: number, rectHeight: number, maxEdge: number): number {
  const scale = Math.min(1, maxEdge / Math.max(rectWidth, rectHeight));
  const rounded = 2 ** Math.round(Math.log2(Math.max(1, side * scale)));
  return Math.min(maxEdge, Math.max(MIN_TEXTURE_EDGE, rounded));
}
