import type { RgbaImage } from '../image/rgba-image.js';
import { uninitialisedUint8 } from '../memory/scratch-memory.js';
import { alphaMask } from './alpha-mask.js';
import { analyseBorderColour, type BorderColour } from './border-colour.js';
import { dropSpecks, fillSmallHoles, invert, keepLargestComponent, maskCoverage } from './clean-mask.js';
import { floodBackground } from './flood-background.js';
import { grabCutObject } from './grabcut-object.js';
import { loadOpenCv } from './opencv-runtime.js';
import { punchHoles } from './punch-holes.js';
import { refineEdge } from './refine-edge.js';
import { borderColouredShare, borderContact, colourSeparation, compactness, MIN_CONFIDENCE, seedKeptShare, segmentationConfidence } from './segmentation-confidence.js';

/** Why the generator made a card instead of a shape; the API reports them as warning codes. */
export type SegmentationCode = 'BACKGROUND_NOT_SEPARATED' | 'LOW_SEGMENTATION_CONFIDENCE';

export interface SegmentationWarning {
  code: SegmentationCode;
  message: string;
}

export interface Segmentation {
  /** 1 = object, per pixel of the working image. All ones for a card. */
  mask: Uint8Array;
  fallback: 'none' | 'card';
  /** How the object was separated (or tried to be, for a card): the alpha channel, a flood from a plain border, or GrabCut. */
  method: 'alpha' | 'flood' | 'grabcut';
  /** 0…1; a GrabCut result below MIN_CONFIDENCE becomes a card. Alpha and flood results are trusted (1) unless empty or full. */
  confidence: number;
  coverage: number;
  warnings: SegmentationWarning[];
}

/**
 * The flood's fast path is for plain backgrounds: most of the border within the colour tolerance,
 * and the border's median distance from its median colour small (0 for a drawn backdrop, a few
 * levels of noise for a photographed one; 20 and more for wood, gravel, a sky behind a gantry,
 * which flood partly and ragged, so GrabCut separates them instead).
 */
const MIN_BORDER_MATCH = 0.6;
const MAX_PLAIN_SPREAD = 8;
/** An object this small is noise; one this large means almost no background was found. */
const MIN_COVERAGE = 0.002;
const MAX_COVERAGE = 0.97;
/** GrabCut keeping this much of the photo has taken background for the object. */
const MAX_GRABCUT_COVERAGE = 0.85;

const CARD_ADVICE = 'made a flat card of the whole photo: use a photo of the object on a plain background or with a transparent background';
export const NO_OBJECT_WARNING: SegmentationWarning = { code: 'BACKGROUND_NOT_SEPARATED', message: `Could not separate an object from the background; ${CARD_ADVICE}` };

/**
 * Separates the object from its background: alpha when the image uses it; else a flood from the
 * border when the border is one plain colour (fast); else GrabCut on a shrunk copy, refined at
 * full resolution, and trusted only above MIN_CONFIDENCE.
 */
export async function segmentObject(image: RgbaImage): Promise<Segmentation> {
  const { width, height } = image;
  const fromAlpha = alphaMask(image);
  if (fromAlpha) {
    dropSpecks(fromAlpha, width, height);
    fillSmallHoles(fromAlpha, width, height);
    return trusted(image, fromAlpha, 'alpha');
  }
  const border = analyseBorderColour(image);
  if (border.matchFraction < MIN_BORDER_MATCH || border.spread > MAX_PLAIN_SPREAD) return grabCut(image, border);
  const mask = invert(floodBackground(image, border));
  punchHoles(mask, image, border);
  // No small holes to fill here: enclosed background only exists where a hole was punched, and those are large.
  dropSpecks(mask, width, height);
  return trusted(image, mask, 'flood');
}

function trusted(image: RgbaImage, mask: Uint8Array, method: 'alpha' | 'flood'): Segmentation {
  const coverage = maskCoverage(mask);
  if (coverage < MIN_COVERAGE || coverage > MAX_COVERAGE) return card(image, method, 0, NO_OBJECT_WARNING);
  return { mask, fallback: 'none', method, confidence: 1, coverage, warnings: [] };
}

async function grabCut(image: RgbaImage, border: BorderColour): Promise<Segmentation> {
  const { width, height } = image;
  const coarse = grabCutObject(await loadOpenCv(), image, border);
  if (!coarse) return card(image, 'grabcut', 0, NO_OBJECT_WARNING);
  keepLargestComponent(coarse.mask, coarse.image.width, coarse.image.height);
  const mask = refineEdge(image, coarse);
  keepLargestComponent(mask, width, height);
  fillSmallHoles(mask, width, height);
  const coverage = maskCoverage(mask);
  if (coverage < MIN_COVERAGE || coverage > MAX_GRABCUT_COVERAGE) return card(image, 'grabcut', 0, NO_OBJECT_WARNING);
  const confidence = segmentationConfidence({
    separation: colourSeparation(coarse),
    borderContact: borderContact(coarse.mask, coarse.image.width, coarse.image.height, coarse.ring),
    compactness: compactness(coarse.mask, coarse.image.width, coarse.image.height),
    borderColoured: borderColouredShare(coarse),
    seedKept: seedKeptShare(coarse),
  });
  if (confidence < MIN_CONFIDENCE) {
    const message = `Segmentation confidence ${confidence.toFixed(2)} is below ${MIN_CONFIDENCE}; ${CARD_ADVICE}`;
    return card(image, 'grabcut', confidence, { code: 'LOW_SEGMENTATION_CONFIDENCE', message });
  }
  return { mask, fallback: 'none', method: 'grabcut', confidence, coverage, warnings: [] };
}

function card(image: RgbaImage, method: Segmentation['method'], confidence: number, warning: SegmentationWarning): Segmentation {
  return { mask: uninitialisedUint8(image.width * image.height).fill(1), fallback: 'card', method, confidence, coverage: 1, warnings: [warning] };
}
