import type { RgbaImage } from '../image/rgba-image.js';
import { scratchUint8, uninitialisedInt32 } from '../memory/scratch-memory.js';
import type { BorderColour } from './border-colour.js';

/** Largest per-channel change from the pixel the flood came from: a shadow's gradient is soft. */
const SHADOW_STEP = 12;
/** Largest per-channel change to any neighbour: noise is fine, an edge (even anti-aliased) is not. */
const EDGE_STEP = 36;
/** A shadow keeps the background's chromaticity: |r/(r+g+b) − r₀/(r₀+g₀+b₀)| stays below this (same for g). */
const SHADOW_CHROMA = 0.03;
/** A shadow darkens the background to no less than this share of its brightness (and a gradient may lighten it a little). */
const SHADOW_MIN_BRIGHTNESS = 0.3;
const SHADOW_MAX_BRIGHTNESS = 1.1;

/**
 * Marks the background (1) by flooding from the border through 4-connected pixels that either
 * match the border colour or continue a soft shadow: the background's chromaticity, darker,
 * reached through a small step, and on no edge (no neighbour very different). The last is what
 * stops the flood at an anti-aliased grey outline: along a curved edge the coverage changes
 * slowly, but across it, it jumps.
 * Flooding from the border, instead of thresholding globally, keeps regions of background colour
 * inside the object (a white label) as part of the object.
 */
export function floodBackground(image: RgbaImage, border: BorderColour): Uint8Array {
  const background = scratchUint8(image.width * image.height);
  const queue = uninitialisedInt32(image.width * image.height);
  const seeds = seedFromBorder(image, border, background, queue);
  growBackground(image, border, background, queue, seeds);
  return background;
}

/** Marks and enqueues the border pixels of background colour; returns how many. */
function seedFromBorder(image: RgbaImage, border: BorderColour, background: Uint8Array, queue: Int32Array): number {
  const { width, height } = image;
  let tail = 0;
  for (let i = 0; i < 2 * (width + height); i++) {
    // Top row, bottom row, left column, right column; corners come twice and are marked once.
    const pixel = i < width ? i : i < 2 * width ? (height - 1) * width + i - width : i < 2 * width + height ? (i - 2 * width) * width : (i - 2 * width - height) * width + width - 1;
    if (background[pixel] === 0 && matchesColour(image.data, pixel * 4, border.rgb, border.tolerance)) {
      background[pixel] = 1;
      queue[tail++] = pixel;
    }
  }
  return tail;
}

function growBackground(image: RgbaImage, border: BorderColour, background: Uint8Array, queue: Int32Array, seeds: number): void {
  const { width } = image;
  let tail = seeds;
  for (let head = 0; head < tail; head++) {
    const pixel = queue[head]!;
    const x = pixel % width;
    if (x > 0 && admits(image, border, background, pixel - 1, pixel)) queue[tail++] = pixel - 1;
    if (x < width - 1 && admits(image, border, background, pixel + 1, pixel)) queue[tail++] = pixel + 1;
    if (pixel >= width && admits(image, border, background, pixel - width, pixel)) queue[tail++] = pixel - width;
    if (pixel + width < background.length && admits(image, border, background, pixel + width, pixel)) queue[tail++] = pixel + width;
  }
}

/** Marks `pixel` as background if it is unmarked and matches the colour or continues a shadow from `from`. */
function admits(image: RgbaImage, border: BorderColour, background: Uint8Array, pixel: number, from: number): boolean {
  if (background[pixel] !== 0) return false;
  const isBackground =
    matchesColour(image.data, pixel * 4, border.rgb, border.tolerance) ||
    (isShadowTone(image.data, pixel * 4, border.rgb) && isStep(image.data, pixel, from, SHADOW_STEP) && isOffEdge(image, pixel));
  if (!isBackground) return false;
  background[pixel] = 1;
  return true;
}

export function matchesColour(data: Uint8Array, offset: number, rgb: readonly [number, number, number], tolerance: number): boolean {
  return (
    Math.abs(data[offset]! - rgb[0]) <= tolerance &&
    Math.abs(data[offset + 1]! - rgb[1]) <= tolerance &&
    Math.abs(data[offset + 2]! - rgb[2]) <= tolerance
  );
}

/** The background's chromaticity at a lower (or slightly higher) brightness. */
function isShadowTone(data: Uint8Array, offset: number, rgb: readonly [number, number, number]): boolean {
  const r = data[offset]!;
  const g = data[offset + 1]!;
  const sum0 = rgb[0] + rgb[1] + rgb[2];
  const sum = r + g + data[offset + 2]!;
  if (sum0 === 0 || sum < SHADOW_MIN_BRIGHTNESS * sum0 || sum > SHADOW_MAX_BRIGHTNESS * sum0) return false;
  const limit = SHADOW_CHROMA * sum * sum0;
  return Math.abs(r * sum0 - rgb[0] * sum) <= limit && Math.abs(g * sum0 - rgb[1] * sum) <= limit;
}

/** Within EDGE_STEP of each of its four neighbours (those inside the image). */
function isOffEdge(image: RgbaImage, pixel: number): boolean {
  const { width, data } = image;
  const x = pixel % width;
  return (
    (x === 0 || isStep(data, pixel, pixel - 1, EDGE_STEP)) &&
    (x === width - 1 || isStep(data, pixel, pixel + 1, EDGE_STEP)) &&
    (pixel < width || isStep(data, pixel, pixel - width, EDGE_STEP)) &&
    (pixel + width >= width * image.height || isStep(data, pixel, pixel + width, EDGE_STEP))
  );
}

/** Whether two pixels differ by at most `step` in every channel. */
function isStep(data: Uint8Array, a: number, b: number, step: number): boolean {
  return (
    Math.abs(data[a * 4]! - data[b * 4]!) <= step &&
    Math.abs(data[a * 4 + 1]! - data[b * 4 + 1]!) <= step &&
    Math.abs(data[a * 4 + 2]! - data[b * 4 + 2]!) <= step
  );
}
