import { uninitialisedFloat32 } from '../memory/scratch-memory.js';
import type { SignedField } from './signed-distance.js';

/**
 * Softens the creases where Puffball's balls meet (a star's arms, a handle joining a body) with
 * two passes of a box blur normalised over the inside pixels, so the outside's zeros never pull
 * the surface down. The rim keeps the exact profile: the blend moves from raw at the silhouette
 * to fully smoothed `2 × radius` pixels inside. Heights are 0 outside, so summing them is already
 * summing over the inside. One loop per function (see distance-transform.ts).
 */
export function smoothHeight(heights: Float32Array, field: SignedField, radius: number): Float32Array {
  const { values, width, height } = field;
  const size = { width, height, radius, rows: uninitialisedFloat32(values.length) };
  const insideCounts = uninitialisedFloat32(values.length);
  boxBlur(insideIndicator(values, uninitialisedFloat32(values.length)), insideCounts, size);
  const first = uninitialisedFloat32(values.length);
  boxBlur(heights, first, size);
  divideInside(first, insideCounts, values);
  const second = uninitialisedFloat32(values.length);
  boxBlur(first, second, size);
  divideInside(second, insideCounts, values);
  blendTowardsRim(second, heights, values, radius);
  return second;
}

function insideIndicator(values: Float32Array, target: Float32Array): Float32Array {
  for (let i = 0; i < target.length; i++) target[i] = values[i]! > 0 ? 1 : 0;
  return target;
}

/** In place: window sums ÷ inside pixels in the window, 0 outside. */
function divideInside(sums: Float32Array, insideCounts: Float32Array, values: Float32Array): void {
  for (let i = 0; i < sums.length; i++) sums[i] = values[i]! > 0 ? sums[i]! / insideCounts[i]! : 0;
}

/** In place on `smoothed`: raw at the rim, smoothed from 2 × radius inside. */
function blendTowardsRim(smoothed: Float32Array, raw: Float32Array, values: Float32Array, radius: number): void {
  for (let i = 0; i < smoothed.length; i++) {
    const t = Math.min(1, Math.max(0, values[i]!) / (2 * radius));
    smoothed[i] = t * smoothed[i]! + (1 - t) * raw[i]!;
  }
}

interface BlurSize {
  width: number;
  height: number;
  radius: number;
  /** Scratch for the row pass. */
  rows: Float32Array;
}

/** Sums over (2·radius + 1)² windows, by running sums along rows and then down columns. */
function boxBlur(source: Float32Array, target: Float32Array, size: BlurSize): void {
  for (let y = 0; y < size.height; y++) rowRunningSums(source, size.rows, y * size.width, size);
  columnRunningSums(size.rows, target, size);
}

function rowRunningSums(source: Float32Array, target: Float32Array, start: number, size: BlurSize): void {
  const { width, radius } = size;
  let sum = 0;
  for (let x = -radius; x < width; x++) {
    if (x + radius < width) sum += source[start + x + radius]!;
    if (x - radius - 1 >= 0) sum -= source[start + x - radius - 1]!;
    if (x >= 0) target[start + x] = sum;
  }
}

/** Walks rows top to bottom keeping one running sum per column: row-major, so cache friendly. */
function columnRunningSums(rows: Float32Array, target: Float32Array, size: BlurSize): void {
  const { width, height, radius } = size;
  const sums = new Float64Array(width);
  for (let y = -radius; y < height; y++) {
    if (y + radius < height) addRow(sums, rows, (y + radius) * width, 1);
    if (y - radius - 1 >= 0) addRow(sums, rows, (y - radius - 1) * width, -1);
    if (y >= 0) storeRow(sums, target, y * width);
  }
}

function addRow(sums: Float64Array, rows: Float32Array, start: number, sign: number): void {
  for (let x = 0; x < sums.length; x++) sums[x]! += sign * rows[start + x]!;
}

function storeRow(sums: Float64Array, target: Float32Array, start: number): void {
  for (let x = 0; x < sums.length; x++) target[start + x] = sums[x]!;
}
