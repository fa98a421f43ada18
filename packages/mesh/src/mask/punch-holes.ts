import type { RgbaImage } from '../image/rgba-image.js';
import type { BorderColour } from './border-colour.js';
import { minHoleArea } from './clean-mask.js';
import { distanceTransform2d, FAR } from '../field/distance-transform.js';
import { matchesColour } from './flood-background.js';
import { labelComponents } from './label-components.js';
import { scratchFloat32, scratchUint8, uninitialisedInt32, uninitialisedUint8 } from '../memory/scratch-memory.js';

/** A hole bigger than this share of the object is more likely a blank face of it (a white label). */
const MAX_HOLE_SHARE = 0.5;
/** A hole must fit a disk of this radius, as a share of the image's long side: text strokes and highlights are thinner. */
const MIN_HOLE_RADIUS_SHARE = 0.025;
/** Non-hole pixels enclosed by a candidate, up to this share of its area, are noise rather than islands. */
const ISLAND_NOISE_SHARE = 0.002;
/** Bounds the work on pathological images with thousands of background-coloured blobs. */
const MAX_CANDIDATES = 64;

/**
 * Punches, in place, enclosed background-coloured regions out of the foreground (a mug handle's
 * hole), but only those that are roomy and hold no islands: white lettering is too thin, and a
 * white label keeps its text, so both stay.
 */
export function punchHoles(foreground: Uint8Array, image: RgbaImage, border: BorderColour): void {
  const { width, height } = image;
  const candidate = backgroundColouredForeground(foreground, image, border);
  const { labels, areas, boxes } = labelComponents(candidate, width, height, 4);
  const minRadius = MIN_HOLE_RADIUS_SHARE * Math.max(width, height);
  const foregroundArea = countSet(foreground);
  const punched = scratchUint8(areas.length);
  let considered = 0;
  for (let label = 0; label < areas.length && considered < MAX_CANDIDATES; label++) {
    const area = areas[label]!;
    if (area < minHoleArea(width, height) || area > MAX_HOLE_SHARE * foregroundArea) continue;
    considered++;
    const search = { width, height, label, box: boxes.subarray(label * 4, label * 4 + 4) };
    if (largestInscribedRadius(labels, search) < minRadius) continue;
    if (countIslandPixels(labels, search) <= Math.max(4, ISLAND_NOISE_SHARE * area)) punched[label] = 1;
  }
  clearLabels(foreground, labels, punched);
}

function backgroundColouredForeground(foreground: Uint8Array, image: RgbaImage, border: BorderColour): Uint8Array {
  const candidate = uninitialisedUint8(foreground.length);
  for (let i = 0; i < foreground.length; i++) {
    candidate[i] = foreground[i] !== 0 && matchesColour(image.data, i * 4, border.rgb, border.tolerance) ? 1 : 0;
  }
  return candidate;
}

function countSet(mask: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]! !== 0 ? 1 : 0;
  return count;
}

/** The radius of the largest disk inside the component (a distance transform over its bounding box). */
function largestInscribedRadius(labels: Int32Array, search: IslandSearch): number {
  const [minX, minY, maxX, maxY] = [search.box[0]!, search.box[1]!, search.box[2]!, search.box[3]!];
  // One pixel of outside around the box, so the component's edge is at distance 1.
  const width = maxX - minX + 3;
  const height = maxY - minY + 3;
  const squared = scratchFloat32(width * height);
  markComponent(labels, search, squared, width);
  distanceTransform2d(squared, width, height);
  return Math.sqrt(maxValue(squared));
}

function markComponent(labels: Int32Array, search: IslandSearch, squared: Float32Array, width: number): void {
  const minX = search.box[0]!;
  const minY = search.box[1]!;
  for (let y = search.box[1]!; y <= search.box[3]!; y++) {
    for (let x = minX; x <= search.box[2]!; x++) {
      if (labels[y * search.width + x] === search.label) squared[(y - minY + 1) * width + x - minX + 1] = FAR;
    }
  }
}

function maxValue(values: Float32Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

function clearLabels(foreground: Uint8Array, labels: Int32Array, punched: Uint8Array): void {
  for (let i = 0; i < foreground.length; i++) {
    const label = labels[i]!;
    if (label >= 0 && punched[label] === 1) foreground[i] = 0;
  }
}

interface IslandSearch {
  width: number;
  height: number;
  label: number;
  box: Int32Array;
}

/**
 * Counts pixels inside the candidate's bounding box (grown by one) that are not part of it and
 * cannot reach the box's edge without crossing it: the islands it encloses. 8-connected, the dual
 * of the candidate's 4-connectivity, so a diagonal gap is not taken for an enclosure.
 */
function countIslandPixels(labels: Int32Array, search: IslandSearch): number {
  const x0 = Math.max(0, search.box[0]! - 1);
  const y0 = Math.max(0, search.box[1]! - 1);
  const boxWidth = Math.min(search.width - 1, search.box[2]! + 1) - x0 + 1;
  const boxHeight = Math.min(search.height - 1, search.box[3]! + 1) - y0 + 1;
  const others = scratchUint8(boxWidth * boxHeight);
  const window = { x0, y0, boxWidth, boxHeight, imageWidth: search.width };
  const total = markOthers(labels, search.label, others, window);
  return total - floodFromEdge(others, window);
}

interface Window {
  x0: number;
  y0: number;
  boxWidth: number;
  boxHeight: number;
  imageWidth: number;
}

/** Marks the window's pixels that are not in the candidate (1); returns how many. */
function markOthers(labels: Int32Array, label: number, others: Uint8Array, window: Window): number {
  let total = 0;
  for (let y = 0; y < window.boxHeight; y++) {
    for (let x = 0; x < window.boxWidth; x++) {
      if (labels[(window.y0 + y) * window.imageWidth + window.x0 + x] === label) continue;
      others[y * window.boxWidth + x] = 1;
      total++;
    }
  }
  return total;
}

/** Floods (8-connected) the marked pixels reachable from the window's edge, marking them 2; returns how many. */
function floodFromEdge(others: Uint8Array, window: Window): number {
  const queue = uninitialisedInt32(others.length);
  let tail = seedEdge(others, queue, window);
  const { boxWidth, boxHeight } = window;
  for (let head = 0; head < tail; head++) {
    const cell = queue[head]!;
    const x = cell % boxWidth;
    const y = (cell - x) / boxWidth;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= boxWidth || ny >= boxHeight || others[ny * boxWidth + nx] !== 1) continue;
        others[ny * boxWidth + nx] = 2;
        queue[tail++] = ny * boxWidth + nx;
      }
    }
  }
  return tail;
}

function seedEdge(others: Uint8Array, queue: Int32Array, window: Window): number {
  const { boxWidth, boxHeight } = window;
  let tail = 0;
  for (let cell = 0; cell < others.length; cell++) {
    const x = cell % boxWidth;
    const y = (cell - x) / boxWidth;
    if (others[cell] === 1 && (x === 0 || y === 0 || x === boxWidth - 1 || y === boxHeight - 1)) {
      others[cell] = 2;
      queue[tail++] = cell;
    }
  }
  return tail;
}
