import { GC_PR_FGD, type CoarseSegmentation } from './grabcut-object.js';

/**
 * Below this confidence a GrabCut segmentation is not trusted and the generator makes a card.
 * Calibrated on the composite set in segment-object.iou.test.ts (docs/segmentation.md): every
 * composite separated above it has IoU ≥ 0.75 with the truth.
 */
export const MIN_CONFIDENCE = 0.8;
const BORDER_COLOURED_WEIGHT = 0.5;
/**
 * GrabCut keeping less than this share of what was seeded as probable object settled on a
 * fragment (the crema of a coffee cup, not the cup: 10 %); composites it separates well keep 48 %
 * and more.
 */
const MIN_SEED_KEPT = 0.3;

export interface ConfidenceFactors {
  /** How well the two colour mixtures tell the labelled pixels apart: 0.5 (not at all) … 1. */
  separation: number;
  /** Share of the image's outer ring covered by the object: an object cut off by the frame, or background taken for it. */
  borderContact: number;
  /** 4π·area / perimeter²: 1 for a disk, small for a ragged mask that follows background texture. */
  compactness: number;
  /** Share of the object's pixels in colours common on the border: background kept as object (a flag's stripe beside the object). */
  borderColoured: number;
  /** Share of the pixels seeded as probable object that GrabCut kept: low when it settled on a fragment of what stood out. */
  seedKept: number;
}

/** One number in 0…1 from the factors, documented in docs/segmentation.md. */
export function segmentationConfidence(factors: ConfidenceFactors): number {
  const separation = Math.max(0, (factors.separation - 0.5) / 0.5);
  const ragged = Math.max(0, 1 - factors.compactness / 0.2);
  const fragment = Math.max(0, MIN_SEED_KEPT - factors.seedKept);
  return Math.max(0, separation - 2 * factors.borderContact - 0.5 * ragged - BORDER_COLOURED_WEIGHT * factors.borderColoured - 2 * fragment);
}

/**
 * The mean posterior, with equal priors, of each pixel's own label under the two mixtures,
 * averaged over object and background so a small object counts as much as a large background.
 */
/** Share of the pixels seeded as probable object that ended in the (cleaned) coarse object. */
export function seedKeptShare(coarse: CoarseSegmentation): number {
  let seeded = 0;
  let kept = 0;
  for (let i = 0; i < coarse.seeds.length; i++) {
    if (coarse.seeds[i] !== GC_PR_FGD) continue;
    seeded++;
    kept += coarse.mask[i]!;
  }
  return seeded === 0 ? 0 : kept / seeded;
}

/** Share of the coarse object's pixels whose colour is common on the border. */
export function borderColouredShare(coarse: CoarseSegmentation): number {
  let object = 0;
  let coloured = 0;
  for (let i = 0; i < coarse.mask.length; i++) {
    object += coarse.mask[i]!;
    coloured += coarse.mask[i]! & coarse.borderColoured[i]!;
  }
  return object === 0 ? 0 : coloured / object;
}

export function colourSeparation(coarse: CoarseSegmentation): number {
  const sums = [0, 0];
  const counts = [0, 0];
  const { data } = coarse.image;
  for (let i = 0; i < coarse.mask.length; i++) {
    const r = data[i * 4]!, g = data[i * 4 + 1]!, b = data[i * 4 + 2]!;
    const foreground = coarse.foreground.density(r, g, b);
    const background = coarse.background.density(r, g, b);
    const total = foreground + background;
    if (total <= 0) continue;
    const label = coarse.mask[i]!;
    sums[label]! += (label === 1 ? foreground : background) / total;
    counts[label]!++;
  }
  if (counts[0] === 0 || counts[1] === 0) return 0.5;
  return (sums[0]! / counts[0]! + sums[1]! / counts[1]!) / 2;
}

/**
 * The share of the rectangle `inset` pixels inside the image's edge that the object covers: the
 * ring outside it is GrabCut's sure background, so this is where an object cut off by the frame,
 * or background taken for object, meets it.
 */
export function borderContact(mask: Uint8Array, width: number, height: number, inset: number): number {
  const left = inset, top = inset, right = width - 1 - inset, bottom = height - 1 - inset;
  if (right <= left || bottom <= top) return 0;
  let touching = 0;
  for (let x = left; x <= right; x++) touching += mask[top * width + x]! + mask[bottom * width + x]!;
  for (let y = top + 1; y < bottom; y++) touching += mask[y * width + left]! + mask[y * width + right]!;
  return touching / (2 * (right - left + 1) + 2 * (bottom - top - 1));
}

/** 4π·area / perimeter², the perimeter counted as object pixel edges facing background (4-neighbourhood), ×π/4 to undo the grid's overcount of diagonal outlines. */
export function compactness(mask: Uint8Array, width: number, height: number): number {
  let area = 0;
  let edges = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (mask[i] === 0) continue;
      area++;
      if (x === 0 || mask[i - 1] === 0) edges++;
      if (x === width - 1 || mask[i + 1] === 0) edges++;
      if (y === 0 || mask[i - width] === 0) edges++;
      if (y === height - 1 || mask[i + width] === 0) edges++;
    }
  }
  const perimeter = (edges * Math.PI) / 4;
  return perimeter === 0 ? 0 : Math.min(1, (4 * Math.PI * area) / (perimeter * perimeter));
}
