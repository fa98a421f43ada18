import type { RgbaImage } from '../image/rgba-image.js';
import { uninitialisedUint8 } from '../memory/scratch-memory.js';

/** The alpha channel counts as a cut-out when at least this share of pixels is mostly transparent. */
const MIN_TRANSPARENT_SHARE = 0.001;

/** The object mask from the alpha channel (alpha ≥ 50 %), or null when the image does not really use alpha. */
export function alphaMask(image: RgbaImage): Uint8Array | null {
  const pixels = image.width * image.height;
  if (countTransparent(image.data) < MIN_TRANSPARENT_SHARE * pixels) return null;
  return opaquePixels(image.data, uninitialisedUint8(pixels));
}

function countTransparent(data: Uint8Array): number {
  let count = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]! < 128) count++;
  return count;
}

function opaquePixels(data: Uint8Array, mask: Uint8Array): Uint8Array {
  for (let i = 0; i < mask.length; i++) mask[i] = data[i * 4 + 3]! >= 128 ? 1 : 0;
  return mask;
}
