import { uninitialisedFloat64, uninitialisedInt32 } from '../memory/scratch-memory.js';
/** Stands for "no source here" in distance transforms; far above any squared distance on a 1024² grid. */
export const FAR = 1e20;

/**
 * Generalised squared-distance transform, in place: grid[p] ← min over q of |p − q|² + grid[q]
 * (Felzenszwalb & Huttenlocher 2012), exact and linear time, as two 1-D passes. With 0 at sources
 * and FAR elsewhere it is the exact Euclidean distance transform; with other values (e.g. −r²) it
 * is the lower envelope of paraboloids that the Puffball height needs.
 *
 * Every loop lives in its own small function: V8 optimises a long loop mid-run (OSR) and throws
 * that code away when it reaches a later loop it has no type feedback for, so several loops in
 * one function run mostly unoptimised.
 */
export function distanceTransform2d(grid: Float32Array, width: number, height: number): void {
  const scratch = createScratch(Math.max(width, height));
  transformColumns(grid, width, height, scratch);
  transformRows(grid, width, height, scratch);
}

/**
 * The exact Euclidean distance transform, in place, of a grid holding 0 at sources and FAR
 * elsewhere: the same result as `distanceTransform2d`, faster. Down a column the nearest source
 * is found by two linear sweeps, so only the row pass needs the lower envelope.
 */
export function euclideanDistanceTransform2d(grid: Float32Array, width: number, height: number): void {
  const scratch = createScratch(Math.max(width, height));
  const run = new Float64Array(width);
  sweepColumnsDown(grid, width, height, run);
  sweepColumnsUp(grid, width, height, run);
  transformRows(grid, width, height, scratch);
}

/** Row by row (cache friendly), the distance in pixels to the nearest source above or here; FAR for none. */
function sweepColumnsDown(grid: Float32Array, width: number, height: number, run: Float64Array): void {
  run.fill(FAR);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      run[x] = grid[row + x] === 0 ? 0 : run[x]! + 1;
      grid[row + x] = run[x]! >= FAR ? FAR : run[x]!;
    }
  }
}

/** Bottom up: the nearer of that and the nearest source below, squared. */
function sweepColumnsUp(grid: Float32Array, width: number, height: number, run: Float64Array): void {
  run.fill(FAR);
  for (let y = height - 1; y >= 0; y--) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      run[x] = grid[row + x] === 0 ? 0 : Math.min(run[x]! + 1, grid[row + x]!);
      grid[row + x] = run[x]! >= FAR ? FAR : run[x]! * run[x]!;
    }
  }
}

interface Scratch {
  /** COLUMN_BLOCK lines of input, then of output, each `longest` long. */
  lines: Float64Array;
  outs: Float64Array;
  hull: Int32Array;
  bounds: Float64Array;
}

/** Columns are gathered this many at a time, so reading them walks memory row by row instead of missing the cache on every pixel. */
const COLUMN_BLOCK = 16;

function createScratch(longest: number): Scratch {
  return {
    lines: uninitialisedFloat64(COLUMN_BLOCK * longest),
    outs: uninitialisedFloat64(COLUMN_BLOCK * longest),
    hull: uninitialisedInt32(longest),
    bounds: uninitialisedFloat64(longest + 1),
  };
}

function transformColumns(grid: Float32Array, width: number, height: number, scratch: Scratch): void {
  for (let x0 = 0; x0 < width; x0 += COLUMN_BLOCK) {
    const count = Math.min(COLUMN_BLOCK, width - x0);
    gatherColumns(grid, scratch.lines, { width, height, x0, count });
    for (let k = 0; k < count; k++) distanceTransform1d(scratch.lines, k * height, height, scratch.outs, scratch);
    scatterColumns(grid, scratch.outs, { width, height, x0, count });
  }
}

interface ColumnBlock {
  width: number;
  height: number;
  x0: number;
  count: number;
}

function gatherColumns(grid: Float32Array, lines: Float64Array, block: ColumnBlock): void {
  const { width, height, x0, count } = block;
  for (let y = 0; y < height; y++) {
    const row = y * width + x0;
    for (let k = 0; k < count; k++) lines[k * height + y] = grid[row + k]!;
  }
}

function scatterColumns(grid: Float32Array, outs: Float64Array, block: ColumnBlock): void {
  const { width, height, x0, count } = block;
  for (let y = 0; y < height; y++) {
    const row = y * width + x0;
    for (let k = 0; k < count; k++) grid[row + k] = outs[k * height + y]!;
  }
}

function transformRows(grid: Float32Array, width: number, height: number, scratch: Scratch): void {
  for (let y = 0; y < height; y++) {
    copyIn(grid, y * width, width, scratch.lines);
    distanceTransform1d(scratch.lines, 0, width, scratch.outs, scratch);
    copyOut(scratch.outs, grid, y * width, width);
  }
}

function copyIn(grid: Float32Array, start: number, count: number, line: Float64Array): void {
  for (let i = 0; i < count; i++) line[i] = grid[start + i]!;
}

function copyOut(line: Float64Array, grid: Float32Array, start: number, count: number): void {
  for (let i = 0; i < count; i++) grid[start + i] = line[i]!;
}

/**
 * One line: the lower envelope of the parabolas (q, f[q]) for every q whose f is below FAR,
 * sampled at 0…n−1. Reads f[start…start+n) and writes out[start…start+n).
 */
function distanceTransform1d(
  f: Float64Array,
  start: number,
  n: number,
  out: Float64Array,
  scratch: { hull: Int32Array; bounds: Float64Array },
): void {
  const last = buildLowerEnvelope(f, start, n, scratch.hull, scratch.bounds);
  if (last < 0) fillFar(out, start, n);
  else sampleLowerEnvelope(f, start, n, out, scratch.hull, scratch.bounds);
}

/** Returns the index of the envelope's last parabola, −1 when every f is FAR. */
function buildLowerEnvelope(f: Float64Array, start: number, n: number, hull: Int32Array, bounds: Float64Array): number {
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[start + q]!;
    if (fq >= FAR) continue;
    let s = -Infinity;
    while (k >= 0) {
      const v = hull[k]!;
      s = (fq + q * q - (f[start + v]! + v * v)) / (2 * (q - v));
      if (s > bounds[k]!) break;
      k--;
    }
    k++;
    hull[k] = q;
    bounds[k] = k === 0 ? -Infinity : s;
    bounds[k + 1] = Infinity;
  }
  return k;
}

function sampleLowerEnvelope(f: Float64Array, start: number, n: number, out: Float64Array, hull: Int32Array, bounds: Float64Array): void {
  let j = 0;
  for (let q = 0; q < n; q++) {
    while (bounds[j + 1]! < q) j++;
    const v = hull[j]!;
    out[start + q] = (q - v) * (q - v) + f[start + v]!;
  }
}

function fillFar(out: Float64Array, start: number, n: number): void {
  for (let q = 0; q < n; q++) out[start + q] = FAR;
}
