import type { SignedField } from '../field/signed-distance.js';
import type { TextureRect } from '../geometry/place-model.js';
import type { RgbaImage } from '../image/rgba-image.js';
import type { MaskBounds } from '../mask/mask-bounds.js';
import { scratchUint8, uninitialisedUint8 } from '../memory/scratch-memory.js';
import { removeFringe } from './remove-fringe.js';

/** Room around the object in the texture, so bilinear filtering at the rim reads bled colour. */
const MARGIN = 4;
/** Pixels closer than this (squared distance to the nearest outside pixel centre) blend with the background. */
const EDGE_RING_SQUARED = 2;

/** The part of the working image the texture keeps: the object's bounds plus a margin. */
export function textureRect(bounds: MaskBounds, width: number, height: number): TextureRect {
  const x = Math.max(0, bounds.minX - MARGIN);
  const y = Math.max(0, bounds.minY - MARGIN);
  return { x, y, width: Math.min(width, bounds.maxX + 1 + MARGIN) - x, height: Math.min(height, bounds.maxY + 1 + MARGIN) - y };
}

/**
 * Pixels whose colour is the object's own (1): inside, not in the one-pixel ring where
 * anti-aliasing mixed in the background, and not in a fringe of background colour along the rim
 * (see removeFringe). A card trusts the whole photo. An object too thin to have an interior
 * trusts its mask.
 */
export function trustedPixels(field: SignedField, mask: Uint8Array, photo: { image: RgbaImage; card: boolean }): Uint8Array {
  const { width, height } = photo.image;
  if (photo.card) return uninitialisedUint8(width * height).fill(1);
  const trusted = scratchUint8(width * height);
  if (markInterior(field, trusted, width) === 0) return mask;
  removeFringe(trusted, field, photo.image);
  return trusted;
}

/** Marks the field's interior pixels in an image-sized mask; returns how many. */
function markInterior(field: SignedField, trusted: Uint8Array, imageWidth: number): number {
  let count = 0;
  for (let j = 0; j < field.height; j++) {
    for (let i = 0; i < field.width; i++) {
      if (field.insideSquared[j * field.width + i]! > EDGE_RING_SQUARED) {
        trusted[(field.top + j) * imageWidth + field.left + i] = 1;
        count++;
      }
    }
  }
  return count;
}
