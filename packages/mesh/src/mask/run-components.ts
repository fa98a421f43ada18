import { uninitialisedInt32 } from '../memory/scratch-memory.js';

/**
 * Connected components of the pixels holding `value`, found on horizontal runs of such pixels
 * rather than pixel by pixel: the work grows with the number of runs (the outline), not the area.
 * Components are numbered in raster order of their first pixel.
 */
export interface RunComponents {
  count: number;
  areas: Int32Array;
  /** minX, minY, maxX, maxY (inclusive) per component. */
  boxes: Int32Array;
  runs: Runs;
}

interface Runs {
  length: number;
  row: Int32Array;
  start: Int32Array;
  /** Exclusive. */
  end: Int32Array;
  component: Int32Array;
}

export function findRunComponents(
  mask: Uint8Array,
  size: { width: number; height: number },
  match: { value: 0 | 1; connectivity: 4 | 8 },
): RunComponents {
  const { width, height } = size;
  const capacity = Math.ceil(width / 2) * height;
  const runs: Runs = { length: 0, row: uninitialisedInt32(capacity), start: uninitialisedInt32(capacity), end: uninitialisedInt32(capacity), component: uninitialisedInt32(capacity) };
  const rowFirst = uninitialisedInt32(height + 1);
  for (let y = 0; y < height; y++) {
    rowFirst[y] = runs.length;
    collectRowRuns(mask, y, width, match.value, runs);
  }
  rowFirst[height] = runs.length;
  const parent = uninitialisedInt32(runs.length);
  for (let r = 0; r < runs.length; r++) parent[r] = r;
  // Diagonal neighbours touch when runs come within one pixel of each other.
  const reach = match.connectivity === 8 ? 1 : 0;
  for (let y = 1; y < height; y++) joinRows(runs, parent, { above: rowFirst[y - 1]!, first: rowFirst[y]!, last: rowFirst[y + 1]!, reach });
  return numberComponents(runs, parent);
}

/** Sets `value` on every pixel of the flagged components. */
export function paintComponents(mask: Uint8Array, width: number, components: RunComponents, flagged: Uint8Array, value: number): void {
  const { runs } = components;
  for (let r = 0; r < runs.length; r++) {
    if (flagged[runs.component[r]!] !== 1) continue;
    const base = runs.row[r]! * width;
    mask.fill(value, base + runs.start[r]!, base + runs.end[r]!);
  }
}

/** A mask of one component (1) over a window of the image: `window.width` wide, from (x0, y0). */
export function componentWindow(components: RunComponents, component: number, window: { x0: number; y0: number; width: number; height: number }): Uint8Array {
  const local = new Uint8Array(window.width * window.height);
  const { runs } = components;
  for (let r = 0; r < runs.length; r++) {
    if (runs.component[r] !== component) continue;
    const base = (runs.row[r]! - window.y0) * window.width - window.x0;
    local.fill(1, base + runs.start[r]!, base + runs.end[r]!);
  }
  return local;
}

function collectRowRuns(mask: Uint8Array, y: number, width: number, value: number, runs: Runs): void {
  const base = y * width;
  let x = 0;
  while (x < width) {
    while (x < width && mask[base + x] !== value) x++;
    if (x === width) return;
    const start = x;
    while (x < width && mask[base + x] === value) x++;
    runs.row[runs.length] = y;
    runs.start[runs.length] = start;
    runs.end[runs.length] = x;
    runs.length++;
  }
}

/** Unions each run with the runs of the row above that it touches (two pointers, both rows sorted by x). */
function joinRows(runs: Runs, parent: Int32Array, rows: { above: number; first: number; last: number; reach: number }): void {
  let a = rows.above;
  let b = rows.first;
  while (a < rows.first && b < rows.last) {
    if (runs.start[a]! < runs.end[b]! + rows.reach && runs.start[b]! < runs.end[a]! + rows.reach) union(parent, a, b);
    if (runs.end[a]! < runs.end[b]!) a++;
    else b++;
  }
}

function find(parent: Int32Array, run: number): number {
  let r = run;
  while (parent[r] !== r) {
    parent[r] = parent[parent[r]!]!;
    r = parent[r]!;
  }
  return r;
}

/** Joins two sets under the smaller root, so the outcome does not depend on the order of unions. */
function union(parent: Int32Array, a: number, b: number): void {
  const rootA = find(parent, a);
  const rootB = find(parent, b);
  if (rootA < rootB) parent[rootB] = rootA;
  else parent[rootA] = rootB;
}

function numberComponents(runs: Runs, parent: Int32Array): RunComponents {
  const componentOfRoot = uninitialisedInt32(runs.length).fill(-1);
  let count = 0;
  for (let r = 0; r < runs.length; r++) {
    const root = find(parent, r);
    if (componentOfRoot[root] === -1) componentOfRoot[root] = count++;
    runs.component[r] = componentOfRoot[root]!;
  }
  return { count, ...measureComponents(runs, count), runs };
}

function measureComponents(runs: Runs, count: number): { areas: Int32Array; boxes: Int32Array } {
  const areas = new Int32Array(count);
  const boxes = new Int32Array(count * 4);
  for (let i = 0; i < boxes.length; i++) boxes[i] = i % 4 < 2 ? 2 ** 30 : -1;
  for (let r = 0; r < runs.length; r++) {
    const c = runs.component[r]! * 4;
    areas[runs.component[r]!]! += runs.end[r]! - runs.start[r]!;
    boxes[c] = Math.min(boxes[c]!, runs.start[r]!);
    boxes[c + 1] = Math.min(boxes[c + 1]!, runs.row[r]!);
    boxes[c + 2] = Math.max(boxes[c + 2]!, runs.end[r]! - 1);
    boxes[c + 3] = Math.max(boxes[c + 3]!, runs.row[r]!);
  }
  return { areas, boxes };
}
