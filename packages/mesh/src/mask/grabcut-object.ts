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
  /** The shrunk image GrabCut ran on. */
  image: RgbaImage;
  foreground: ColourModel;
  background: ColourModel;
}

/** GrabCut's cost is its graph cut over every pixel, and WASM is slow: it runs with the long side at most this. */
export const GRABCUT_EDGE = 192;
const ITERATIONS = 5;
/** GrabCut's k-means draws from OpenCV's thread RNG: reseeded before every run, the same photo gives the same mask. */
const RNG_SEED = 19;
/** The ring along the border taken as sure background, as a share of the short side. */
const BORDER_RING_SHARE = 0.03;
/** The centre prior: outside a box inset this share of each side, a pixel starts as probable background. */
const CENTRE_INSET_SHARE = 0.1;

const GC_BGD = 0;
const GC_PR_BGD = 2;
const GC_PR_FGD = 3;

/**
 * The object by GrabCut (Rother, Kolmogorov & Blake 2004) on the shrunk photo, seeded by what the
 * flood fill knows: the border ring is sure background; whatever the flood reaches from the border
 * through background colour and soft shadow is probable background; the centre box is probable
 * object. GrabCut then learns both colour mixtures and cuts along the photo's edges.
 */
export function grabCutObject(cv: OpenCv, photo: RgbaImage, border: BorderColour): CoarseSegmentation {
  const image = shrunk(photo);
  const { width, height } = image;
  const ring = Math.max(2, Math.round(BORDER_RING_SHARE * Math.min(width, height)));
  const seeds = seedLabels(image, border, ring);
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
    return { mask, image, ring, foreground: colourModelFrom(Float64Array.from(foregroundModel.data64F)), background: colourModelFrom(Float64Array.from(backgroundModel.data64F)) };
  } finally {
    for (const mat of [rgb, labels, backgroundModel, foregroundModel] satisfies CvMat[]) mat.delete();
  }
}

function shrunk(photo: RgbaImage): RgbaImage {
  const factor = Math.ceil(Math.max(photo.width, photo.height) / GRABCUT_EDGE);
  return factor <= 1 ? photo : shrinkImage(photo, factor);
}

function seedLabels(image: RgbaImage, border: BorderColour, ring: number): Uint8Array {
  const { width, height } = image;
  const flooded = floodBackground(image, border);
  const insetX = Math.round(CENTRE_INSET_SHARE * width);
  const insetY = Math.round(CENTRE_INSET_SHARE * height);
  const seeds = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const onRing = x < ring || y < ring || x >= width - ring || y >= height - ring;
      const inCentre = x >= insetX && y >= insetY && x < width - insetX && y < height - insetY;
      seeds[i] = onRing ? GC_BGD : flooded[i] === 1 || !inCentre ? GC_PR_BGD : GC_PR_FGD;
    }
  }
  return seeds;
}
