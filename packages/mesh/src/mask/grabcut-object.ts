import type { RgbaImage } from '../image/rgba-image.js';
import type { BorderColour } from './border-colour.js';
import { colourModelFrom, type ColourModel } from './colour-model.js';
import { floodBackground } from './flood-background.js';
import { shrinkImage } from './shrink-image.js';
import type { CvMat, OpenCv } from './opencv-runtime.js';

export interface CoarseSegmentation {
  /** 1 = object, per pixel of the shrunk image. */
  mask: Uint8Array;
  /** Width of the border ring that was seeded as sure background, in shrunk pixels. */
  ring: number;
  /** 1 where a shrunk pixel's colour is common on the border (see BORDER_COLOUR_RATIO). */
  borderColoured: Uint8Array;
  /** GrabCut's labels before it ran: which pixels were seeded as probable object (GC_PR_FGD). */
  seeds: Uint8Array;
  /** The shrunk image GrabCut ran on. */
  image: RgbaImage;
  foreground: ColourModel;
  background: ColourModel;
}

/** GrabCut's cost is its graph cut over every pixel, and WASM is slow: it runs with the long side at most this. */
export const GRABCUT_EDGE = 192;
/** Rounds of (fit the colour mixtures, cut): 5 moved no composite's IoU by more than 0.01 and took longer. */
const ITERATIONS = 3;
/** GrabCut's k-means draws from OpenCV's thread RNG: reseeded before every run, the same photo gives the same mask. */
const RNG_SEED = 19;
/** The ring along the border taken as sure background, as a share of the short side. */
const BORDER_RING_SHARE = 0.03;
/** The centre prior: outside a box inset this share of each side, a pixel starts as probable background. */
const CENTRE_INSET_SHARE = 0.1;
/** Colour histograms of the ring and the centre box, for telling the border's colours: this many levels per channel. */
const BINS = 16;
/**
 * A centre pixel whose colour is at least this share as common on the ring as in the centre is
 * probably background showing between and through the object (gravel around a vase, a flag's
 * stripe, the table inside a mug's handle): it starts as probable background, so GrabCut's object
 * mixture is learnt from the object's own colours.
 */
const BORDER_COLOUR_RATIO = 0.5;

/** GrabCut fits 5 Gaussians to the object's seeds: fewer pixels than this cannot be an object worth fitting. */
const MIN_OBJECT_SEEDS = 32;

const GC_BGD = 0;
const GC_PR_BGD = 2;
export const GC_PR_FGD = 3;

/**
 * The object by GrabCut (Rother, Kolmogorov & Blake 2004) on the shrunk photo, seeded by what the
 * flood fill knows: the border ring is sure background; whatever the flood reaches from the border
 * through background colour and soft shadow, and any colour common on the border, is probable
 * background; the rest of the centre box is probable object. GrabCut then learns both colour
 * mixtures and cuts along the photo's edges. Null when the centre holds (almost) nothing unlike
 * the border.
 */
export function grabCutObject(cv: OpenCv, photo: RgbaImage, border: BorderColour): CoarseSegmentation | null {
  const image = shrunk(photo);
  const { width, height } = image;
  const ring = Math.max(2, Math.round(BORDER_RING_SHARE * Math.min(width, height)));
  const borderColoured = borderColouredPixels(image, ring);
  const seeds = seedLabels(image, border, ring, borderColoured);
  // Nothing in the centre unlike the border: no object to learn (and OpenCV's k-means throws on an empty set).
  if (countLabel(seeds, GC_PR_FGD) < MIN_OBJECT_SEEDS) return null;
  const rgb = new cv.Mat(height, width, cv.CV_8UC3);
  const labels = new cv.Mat(height, width, cv.CV_8UC1);
  const backgroundModel = new cv.Mat();
  const foregroundModel = new cv.Mat();
  try {
    const pixels = rgb.data;
    for (let i = 0; i < width * height; i++) {
      pixels[i * 3] = image.data[i * 4]!;
      pixels[i * 3 + 1] = image.data[i * 4 + 1]!;
      pixels[i * 3 + 2] = image.data[i * 4 + 2]!;
    }
    labels.data.set(seeds);
    cv.setRNGSeed(RNG_SEED);
    cv.grabCut(rgb, labels, new cv.Rect(0, 0, width, height), backgroundModel, foregroundModel, ITERATIONS, cv.GC_INIT_WITH_MASK);
    // Odd labels (sure or probable object) are the object.
    const mask = Uint8Array.from(labels.data, (label) => label & 1);
    return { mask, image, ring, borderColoured, seeds, foreground: colourModelFrom(Float64Array.from(foregroundModel.data64F)), background: colourModelFrom(Float64Array.from(backgroundModel.data64F)) };
  } finally {
    for (const mat of [rgb, labels, backgroundModel, foregroundModel] satisfies CvMat[]) mat.delete();
  }
}

function countLabel(seeds: Uint8Array, label: number): number {
  let count = 0;
  for (let i = 0; i < seeds.length; i++) if (seeds[i] === label) count++;
  return count;
}

function shrunk(photo: RgbaImage): RgbaImage {
  const factor = Math.ceil(Math.max(photo.width, photo.height) / GRABCUT_EDGE);
  return factor <= 1 ? photo : shrinkImage(photo, factor);
}

function seedLabels(image: RgbaImage, border: BorderColour, ring: number, borderColoured: Uint8Array): Uint8Array {
  const { width, height } = image;
  const flooded = floodBackground(image, border);
  const seeds = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const where = region(x, y, width, height, ring);
      seeds[i] = where === 'ring' ? GC_BGD : where === 'centre' && flooded[i] === 0 && borderColoured[i] === 0 ? GC_PR_FGD : GC_PR_BGD;
    }
  }
  return seeds;
}

function region(x: number, y: number, width: number, height: number, ring: number): 'ring' | 'centre' | 'between' {
  if (x < ring || y < ring || x >= width - ring || y >= height - ring) return 'ring';
  const insetX = Math.round(CENTRE_INSET_SHARE * width);
  const insetY = Math.round(CENTRE_INSET_SHARE * height);
  return x >= insetX && y >= insetY && x < width - insetX && y < height - insetY ? 'centre' : 'between';
}

/** Pixels whose colour is at least BORDER_COLOUR_RATIO as common on the ring as in the centre box. */
function borderColouredPixels(image: RgbaImage, ring: number): Uint8Array {
  const { width, height } = image;
  const ringColours = new Float32Array(BINS ** 3);
  const centreColours = new Float32Array(BINS ** 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const where = region(x, y, width, height, ring);
      if (where !== 'between') (where === 'ring' ? ringColours : centreColours)[colourBin(image.data, (y * width + x) * 4)]!++;
    }
  }
  normalise(blurBins(ringColours));
  normalise(blurBins(centreColours));
  const coloured = new Uint8Array(width * height);
  for (let i = 0; i < coloured.length; i++) {
    const bin = colourBin(image.data, i * 4);
    coloured[i] = ringColours[bin]! >= BORDER_COLOUR_RATIO * centreColours[bin]! ? 1 : 0;
  }
  return coloured;
}

function colourBin(data: Uint8Array, offset: number): number {
  const shift = 8 - Math.log2(BINS);
  return ((data[offset]! >> shift) * BINS + (data[offset + 1]! >> shift)) * BINS + (data[offset + 2]! >> shift);
}

/** A 3×3×3 box blur of a colour histogram, so a colour counts as seen when its neighbours were (the ring is a small sample). */
function blurBins(histogram: Float32Array): Float32Array {
  for (let axis = 0; axis < 3; axis++) {
    const stride = BINS ** axis;
    const source = Float32Array.from(histogram);
    for (let bin = 0; bin < histogram.length; bin++) {
      const position = Math.floor(bin / stride) % BINS;
      histogram[bin] = source[bin]! + (position > 0 ? source[bin - stride]! : 0) + (position < BINS - 1 ? source[bin + stride]! : 0);
    }
  }
  return histogram;
}

function normalise(histogram: Float32Array): void {
  let total = 0;
  for (const count of histogram) total += count;
  if (total > 0) for (let bin = 0; bin < histogram.length; bin++) histogram[bin]! /= total;
}
