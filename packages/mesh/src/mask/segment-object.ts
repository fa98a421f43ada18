import type { RgbaImage } from '../image/rgba-image.js';
import { uninitialisedUint8 } from '../memory/scratch-memory.js';
import { alphaMask } from './alpha-mask.js';
import { analyseBorderColour } from './border-colour.js';
import { dropSpecks, fillSmallHoles, invert, maskCoverage } from './clean-mask.js';
import { floodBackground } from './flood-background.js';
import { punchHoles } from './punch-holes.js';

export interface Segmentation {
  /** 1 = object, per pixel of the working image. All ones for a card. */
  mask: Uint8Array;
  fallback: 'none' | 'card';
  coverage: number;
  warnings: string[];
}

/** Below this share of matching border pixels the background is too busy to flood. */
const MIN_BORDER_MATCH = 0.6;
/** An object this small is noise; one this large means the flood found almost no background. */
const MIN_COVERAGE = 0.002;
const MAX_COVERAGE = 0.97;

export const BUSY_BACKGROUND_WARNING = 'Background too busy to separate the object; made a textured card of the whole photo';
export const NO_OBJECT_WARNING = 'Could not separate an object from the background; made a textured card of the whole photo';

/** Separates the object from its background: alpha when the image uses it, else a flood from the border. */
export function segmentObject(image: RgbaImage): Segmentation {
  const { width, height } = image;
  const fromAlpha = alphaMask(image);
  if (fromAlpha) {
    dropSpecks(fromAlpha, width, height);
    fillSmallHoles(fromAlpha, width, height);
    const coverage = maskCoverage(fromAlpha);
    return coverage < MIN_COVERAGE ? card(image, NO_OBJECT_WARNING) : { mask: fromAlpha, fallback: 'none', coverage, warnings: [] };
  }
  const border = analyseBorderColour(image);
  if (border.matchFraction < MIN_BORDER_MATCH) return card(image, BUSY_BACKGROUND_WARNING);
  const mask = invert(floodBackground(image, border));
  punchHoles(mask, image, border);
  // No small holes to fill here: enclosed background only exists where a hole was punched, and those are large.
  dropSpecks(mask, width, height);
  const coverage = maskCoverage(mask);
  if (coverage < MIN_COVERAGE || coverage > MAX_COVERAGE) return card(image, NO_OBJECT_WARNING);
  return { mask, fallback: 'none', coverage, warnings: [] };
}

function card(image: RgbaImage, warning: string): Segmentation {
  return { mask: uninitialisedUint8(image.width * image.height).fill(1), fallback: 'card', coverage: 1, warnings: [warning] };
}
