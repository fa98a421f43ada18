import type { MaskBounds } from '../mask/mask-bounds.js';

/**
 * The body of a solid of revolution seen from the side: per image row from `top`, the circle that
 * row cuts through it (centre in image x, pixel-edge units; radius in pixels; 0 = no body there).
 */
export interface RevolvedBody {
  top: number;
  centres: Float64Array;
  radii: Float64Array;
}

/**
 * The tolerances of "mirror-symmetric about a vertical axis, with a width that changes smoothly".
 * Each row's centre is the median of the midpoints of the rows within a window of AXIS_WINDOW of the
 * silhouette's height around it (so a part merged with one side over less than a quarter of the
 * height, such as a handle's attachment, is outvoted), and may stray from the axis by at most
 * MAX_AXIS_DRIFT of the body's median width (a slightly tilted or ragged outline, not a bent one).
 */
const AXIS_WINDOW = 0.5;
const MAX_AXIS_DRIFT = 0.1;
/** At most this share of the silhouette may lie outside the symmetric body (a mug's handle is about 8 %). */
const MAX_ASYMMETRIC_SHARE = 0.2;
/** Nothing may reach further past the body's widest radius than this share of its diameter (a handle, not an L's foot). */
const MAX_SIDE_REACH = 0.5;
/** The body is at least this tall for its widest diameter: from the front, squat shapes (a label, a plate, a box) look flat as often as round. */
const MIN_HEIGHT_FOR_WIDTH = 0.85;
/**
 * Smoothness: within any window of NOTCH_WINDOW of the body's height, the radius changes by at most
 * MAX_RADIUS_CHANGE of the widest radius. The top and bottom END_ZONE are exempt: a lid, a rim or a
 * base may turn sharply (a bottle's flat bottom, a mug's elliptical rim), a star's arms may not.
 */
const NOTCH_WINDOW = 0.03;
const MAX_RADIUS_CHANGE = 0.4;
const END_ZONE = 0.06;
/** Smaller bodies are too coarse to judge. */
const MIN_BODY_ROWS = 16;
const MIN_BODY_RADIUS = 4;

/**
 * Finds the solid of revolution a silhouette most likely shows (a bottle, a vase, a glass, a can,
 * the body of a mug), or null when it does not look like one. The axis is the median of the rows'
 * widest spans' midpoints (a handle's or a foot's rows are the minority); each row's body is the
 * part of its span across the axis that is symmetric about the row's centre; what lies outside the
 * bodies (a handle, a spout) is the asymmetric remainder.
 */
export function detectRevolvedBody(mask: Uint8Array, width: number, bounds: MaskBounds): RevolvedBody | null {
  const rows = bounds.maxY - bounds.minY + 1;
  if (rows < MIN_BODY_ROWS || bounds.area === 0) return null;
  const axis = medianMidpoint(mask, width, bounds);
  const body = rowBodies(mask, width, bounds, axis);
  if (!body) return null;
  keepLongestRun(body.radii);
  const first = body.radii.findIndex((radius) => radius > 0);
  if (first < 0) return null;
  let last = body.radii.length - 1;
  while (body.radii[last] === 0) last--;
  const bodyRows = last - first + 1;
  let widest = 0, bodyArea = 0;
  for (let row = first; row <= last; row++) {
    widest = Math.max(widest, body.radii[row]!);
    bodyArea += 2 * body.radii[row]!;
  }
  if (bodyRows < MIN_BODY_ROWS || widest < MIN_BODY_RADIUS) return null;
  if (bodyRows < MIN_HEIGHT_FOR_WIDTH * 2 * widest) return null;
  if ((bounds.area - bodyArea) / bounds.area > MAX_ASYMMETRIC_SHARE) return null;
  if (sideReach(bounds, axis) - widest > MAX_SIDE_REACH * 2 * widest) return null;
  if (!changesSmoothly(body.radii.subarray(first, last + 1), widest)) return null;
  return { top: bounds.minY + first, centres: body.centres.slice(first, last + 1), radii: body.radii.slice(first, last + 1) };
}

/** The median over rows of each row's widest span's midpoint. */
function medianMidpoint(mask: Uint8Array, width: number, bounds: MaskBounds): number {
  const midpoints: number[] = [];
  for (let y = bounds.minY; y <= bounds.maxY; y++) {
    let best = 0, bestMid = 0;
    forEachSpan(mask, width, y, bounds, (left, right) => {
      if (right - left > best) [best, bestMid] = [right - left, (left + right) / 2];
    });
    if (best > 0) midpoints.push(bestMid);
  }
  return median(midpoints);
}

/** The lower median; 0 for none. */
function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[(values.length - 1) >> 1] ?? 0;
}

/**
 * Per row of the bounds: the body's circle, the widest span about the row's centre within the
 * span that crosses the axis; what the span holds beyond it (a handle's attachment) is left to the
 * remainder. Null when the centres stray too far from the axis.
 */
function rowBodies(mask: Uint8Array, width: number, bounds: MaskBounds, axis: number): { centres: Float64Array; radii: Float64Array } | null {
  const rows = bounds.maxY - bounds.minY + 1;
  const crossing = new Float64Array(rows * 2);
  for (let row = 0; row < rows; row++) {
    forEachSpan(mask, width, bounds.minY + row, bounds, (left, right) => {
      if (left <= axis && axis < right) [crossing[row * 2], crossing[row * 2 + 1]] = [left, right];
    });
  }
  const centres = localCentres(crossing, Math.max(1, Math.round((AXIS_WINDOW * rows) / 2)));
  const widths: number[] = [];
  for (let row = 0; row < rows; row++) if (crossing[row * 2 + 1]! > crossing[row * 2]!) widths.push(crossing[row * 2 + 1]! - crossing[row * 2]!);
  const drift = MAX_AXIS_DRIFT * median(widths);
  const radii = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const left = crossing[row * 2]!;
    const right = crossing[row * 2 + 1]!;
    if (right <= left) continue;
    if (Math.abs(centres[row]! - axis) > drift) return null;
    radii[row] = Math.max(0, Math.min(centres[row]! - left, right - centres[row]!));
  }
  return { centres, radii };
}

/** Rows sampled per side of a centre's window: a median of a few dozen is as good as of hundreds, and far cheaper. */
const WINDOW_SAMPLES = 24;

/** Per row, the median midpoint of the crossing spans within `reach` rows of it (rows without one skipped). */
function localCentres(crossing: Float64Array, reach: number): Float64Array {
  const rows = crossing.length / 2;
  const centres = new Float64Array(rows);
  const window: number[] = [];
  const stride = Math.max(1, Math.floor(reach / WINDOW_SAMPLES));
  for (let row = 0; row < rows; row++) {
    window.length = 0;
    for (let other = row - Math.floor(reach / stride) * stride; other <= row + reach; other += stride) {
      if (other < 0 || other >= rows) continue;
      const left = crossing[other * 2]!;
      const right = crossing[other * 2 + 1]!;
      if (right > left) window.push((left + right) / 2);
    }
    centres[row] = median(window);
  }
  return centres;
}

/** Calls back with each run of mask pixels in row y as pixel edges [left, right). */
function forEachSpan(mask: Uint8Array, width: number, y: number, bounds: MaskBounds, visit: (left: number, right: number) => void): void {
  const row = y * width;
  let start = -1;
  for (let x = bounds.minX; x <= bounds.maxX + 1; x++) {
    const inside = x <= bounds.maxX && mask[row + x] !== 0;
    if (inside && start < 0) start = x;
    if (!inside && start >= 0) {
      visit(start, x);
      start = -1;
    }
  }
}

/** Zeroes every row outside the longest run of rows with a body: a body is one piece from top to bottom. */
function keepLongestRun(radii: Float64Array): void {
  let bestStart = 0, bestLength = 0, start = 0;
  for (let row = 0; row <= radii.length; row++) {
    if (row < radii.length && radii[row]! > 0) continue;
    if (row - start > bestLength) [bestStart, bestLength] = [start, row - start];
    start = row + 1;
  }
  for (let row = 0; row < radii.length; row++) if (row < bestStart || row >= bestStart + bestLength) radii[row] = 0;
}

/** How far the silhouette reaches from the axis on its farther side. */
function sideReach(bounds: MaskBounds, axis: number): number {
  return Math.max(axis - bounds.minX, bounds.maxX + 1 - axis);
}

function changesSmoothly(radii: Float64Array, widest: number): boolean {
  const window = Math.max(2, Math.ceil(NOTCH_WINDOW * radii.length));
  const end = Math.ceil(END_ZONE * radii.length);
  for (let row = end; row + window < radii.length - end; row++) {
    if (Math.abs(radii[row + window]! - radii[row]!) > MAX_RADIUS_CHANGE * widest) return false;
  }
  return true;
}
