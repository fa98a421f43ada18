import { distanceTransform2d, FAR } from '../field/distance-transform.js';
import type { RgbaImage } from '../image/rgba-image.js';
import { uninitialisedUint8 } from '../memory/scratch-memory.js';
import type { BorderColour } from './border-colour.js';
import { minHoleArea } from './clean-mask.js';
import { matchesColour } from './flood-background.js';
import { componentWindow, findRunComponents, paintComponents } from './run-components.js';

/** A hole bigger than this share of the object is more likely a blank face of it (a white label). */
const MAX_HOLE_SHARE = 0.5;
/** A hole must fit a disk of this radius, as a share of the image's long side: lettering and highlights are thinner. */
const MIN_HOLE_RADIUS_SHARE = 0.025;
/** Non-hole pixels enclosed by a candidate, up to this share of its area, are noise rather than islands. */
const ISLAND_NOISE_SHARE = 0.002;
/** Bounds the work on pathological images with thousands of background-coloured blobs. */
const MAX_CANDIDATES = 64;

/**
 * Punches, in place, enclosed background-coloured regions out of the foreground (a mug handle's
 * hole), but only those that are roomy and hold no islands: lettering is too thin, and a white
 * label keeps its text, so both stay.
 */
export function punchHoles(foreground: Uint8Array, image: RgbaImage, border: BorderColour): void {
  const { width, height } = image;
  const candidates = findRunComponents(backgroundColouredForeground(foreground, image, border), { width, height }, { value: 1, connectivity: 4 });
  const minRadius = MIN_HOLE_RADIUS_SHARE * Math.max(width, height);
  const maxArea = MAX_HOLE_SHARE * countSet(foreground);
  const punched = new Uint8Array(candidates.count);
  let considered = 0;
  for (let c = 0; c < candidates.count && considered < MAX_CANDIDATES; c++) {
    const area = candidates.areas[c]!;
    if (area < minHoleArea(width, height) || area > maxArea) continue;
    considered++;
    // The candidate's box grown by one pixel, so its edge is outside it.
    const [minX, minY, maxX, maxY] = candidates.boxes.subarray(c * 4, c * 4 + 4);
    const window = { x0: minX! - 1, y0: minY! - 1, width: maxX! - minX! + 3, height: maxY! - minY! + 3 };
    const hole = componentWindow(candidates, c, window);
    if (largestInscribedRadius(hole, window) < minRadius) continue;
    if (countIslandPixels(hole, window) <= Math.max(4, ISLAND_NOISE_SHARE * area)) punched[c] = 1;
  }
  paintComponents(foreground, width, candidates, punched, 0);
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

interface Window {
  width: number;
  height: number;
}

/** The radius of the largest disk inside the hole (a distance transform over its window). */
function largestInscribedRadius(hole: Uint8Array, window: Window): number {
  const squared = Float32Array.from(hole, (inside) => (inside === 1 ? FAR : 0));
  distanceTransform2d(squared, window.width, window.height);
  let max = 0;
  for (let i = 0; i < squared.length; i++) if (squared[i]! > max) max = squared[i]!;
  return Math.sqrt(max);
}

/**
 * Counts the window's pixels outside the hole that cannot reach the window's edge without
 * crossing it: the islands it encloses. 8-connected, the dual of the hole's 4-connectivity, so a
 * diagonal gap is not taken for an enclosure.
 */
function countIslandPixels(hole: Uint8Array, window: Window): number {
  const { width, height } = window;
  // 0 = hole, 1 = other, 2 = other reached from the edge.
  const cells = Uint8Array.from(hole, (inside) => (inside === 1 ? 0 : 1));
  const queue = new Int32Array(cells.length);
  let tail = seedEdge(cells, queue, window);
  for (let head = 0; head < tail; head++) {
    const cell = queue[head]!;
    const x = cell % width;
    const y = (cell - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= width || ny >= height || cells[ny * width + nx] !== 1) continue;
        cells[ny * width + nx] = 2;
        queue[tail++] = ny * width + nx;
      }
    }
  }
  return countSet(cells) - tail;
}

function seedEdge(cells: Uint8Array, queue: Int32Array, window: Window): number {
  const { width, height } = window;
  let tail = 0;
  for (let cell = 0; cell < cells.length; cell++) {
    const x = cell % width;
    const y = (cell - x) / width;
    if (cells[cell] === 1 && (x === 0 || y === 0 || x === width - 1 || y === height - 1)) {
      cells[cell] = 2;
      queue[tail++] = cell;
    }
  }
  return tail;
}
