import type { SignedField } from '../field/signed-distance.js';
import type { TextureRect } from '../geometry/place-model.js';
import type { MaskBounds } from '../mask/mask-bounds.js';
import { scratchUint8, uninitialisedUint8 } from '../memory/scratch-memory.js';

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
 * Pixels whose colour is the object's own (1): inside, and not in the one-pixel ring where
 * anti-aliasing mixed in the background. A card trusts the whole photo. An object too thin to
 * have an interior trusts its mask.
 */
export function trustedPixels(field: SignedField, mask: Uint8Array, image: { width: number; height: number; card: boolean }): Uint8Array {
  if (image.card) return uninitialisedUint8(image.width * image.height).fill(1);
  const trusted = scratchUint8(image.width * image.height);
  return markInterior(field, trusted, image.width) > 0 ? trusted : mask;
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
