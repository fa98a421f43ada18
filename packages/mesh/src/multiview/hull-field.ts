import { pixelX, pixelY, type PlacedView } from './placed-view.js';
import { FAR_OUTSIDE, findRuns, runDistance } from './silhouette-runs.js';

/** A regular grid of nodes in hull space, `spacing` apart; node (i, j, k) is at origin + (i, j, k)·spacing. */
export interface HullGrid {
  nx: number;
  ny: number;
  nz: number;
  spacing: number;
  x0: number;
  y0: number;
  z0: number;
}

/** Grid nodes reach this many cells past the hull on every side, so its surface closes inside the grid. */
const GRID_MARGIN_CELLS = 1.5;

/**
 * A grid over the hull's box (x within ±halfX, y from 0 to 1, z within ±halfZ) with `resolution`
 * cells along the box's longest side.
 */
export function planHullGrid(halfX: number, halfZ: number, resolution: number): HullGrid {
  const spacing = Math.max(2 * halfX, 1, 2 * halfZ) / resolution;
  const count = (extent: number): number => Math.ceil(extent / spacing + 2 * GRID_MARGIN_CELLS) + 1;
  const nx = count(2 * halfX), ny = count(1), nz = count(2 * halfZ);
  return { nx, ny, nz, spacing, x0: (-(nx - 1) * spacing) / 2, y0: 0.5 - ((ny - 1) * spacing) / 2, z0: (-(nz - 1) * spacing) / 2 };
}

/** Index of node (i, j, k): x fastest, then z, rows of constant y outermost. */
export function nodeIndex(grid: HullGrid, i: number, j: number, k: number): number {
  return i + grid.nx * (k + grid.nz * j);
}

/**
 * The visual hull as a field over the grid, positive inside, in hull units near the surface. The
 * front and back silhouettes bound x (and y), the sides bound z (and y): a node is inside when
 * every view sees object at its projection. Each horizontal cross-section of that intersection is
 * a union of rectangles; their corners are rounded with a radius of `rounding` times the smaller
 * half-width (1: a square section becomes a circle), the way the single-view inflation rounds a
 * silhouette, while the top and bottom and every silhouette's outline stay where the photos put
 * them (rounding only the corners of a rectangle keeps both of its projections).
 */
export function computeHullField(views: readonly PlacedView[], grid: HullGrid, rounding: number): Float32Array {
  const xViews = distinctSources(views.filter((view) => view.axis === 'x'));
  const zViews = distinctSources(views.filter((view) => view.axis === 'z'));
  const xs = axisNodes(grid.nx, grid.x0, grid.spacing);
  const zs = axisNodes(grid.nz, grid.z0, grid.spacing);
  const ys = axisNodes(grid.ny, grid.y0, grid.spacing);
  const xColumns = xViews.map((view) => columnDistances(view, xs, ys));
  const zColumns = zViews.map((view) => columnDistances(view, zs, ys));
  const xRow = createRowProfile(grid.nx);
  const zRow = createRowProfile(grid.nz);
  const values = new Float32Array(grid.nx * grid.ny * grid.nz);
  for (let j = 0; j < grid.ny; j++) {
    fillRowProfile(xRow, { views: xViews, columns: xColumns, axis: xs, rows: grid.ny }, ys[j]!, j);
    fillRowProfile(zRow, { views: zViews, columns: zColumns, axis: zs, rows: grid.ny }, ys[j]!, j);
    for (let k = 0; k < grid.nz; k++) {
      const base = grid.nx * (k + grid.nz * j);
      const sz = zRow.signed[k]!, ez = zRow.horizontal[k]!, hz = zRow.half[k]!;
      for (let i = 0; i < grid.nx; i++) {
        const sx = xRow.signed[i]!;
        if (sx <= 0 || sz <= 0) {
          values[base + i] = Math.min(sx, sz);
          continue;
        }
        const radius = rounding * Math.min(xRow.half[i]!, hz);
        values[base + i] = Math.min(roundedIntersection(xRow.horizontal[i]!, ez, radius), sx, sz);
      }
    }
  }
  return values;
}

/**
 * The intersection of two regions given by their inside-positive distances, its corner rounded
 * with `radius` (hg_sdf's fOpIntersectionRound, sign flipped).
 */
function roundedIntersection(a: number, b: number, radius: number): number {
  const u = Math.max(radius - a, 0);
  const v = Math.max(radius - b, 0);
  return Math.max(radius, Math.min(a, b)) - Math.sqrt(u * u + v * v);
}

/** A stand-in view shows nothing its source does not: count each photo once. */
function distinctSources(views: PlacedView[]): PlacedView[] {
  return views.filter((view, index) => views.findIndex((other) => other.source === view.source) === index);
}

function axisNodes(count: number, origin: number, spacing: number): Float64Array {
  const nodes = new Float64Array(count);
  for (let n = 0; n < count; n++) nodes[n] = origin + n * spacing;
  return nodes;
}

/**
 * Per node along the view's axis (columns) and per grid row, the signed vertical distance in hull
 * units to the silhouette's outline in that pixel column: [column * rows + row].
 */
function columnDistances(view: PlacedView, axis: Float64Array, ys: Float64Array): Float64Array {
  const { width, height } = view.image;
  const distances = new Float64Array(axis.length * ys.length);
  const runs = new Int32Array(height + 2);
  const half = new Float64Array(1);
  for (let n = 0; n < axis.length; n++) {
    const column = Math.floor(pixelX(view, axis[n]!));
    const count = column >= 0 && column < width ? findRuns(view.mask, column, height, width, runs) : 0;
    for (let j = 0; j < ys.length; j++) {
      const distance = runDistance(runs, count, pixelY(view, ys[j]!), half);
      distances[n * ys.length + j] = distance === FAR_OUTSIDE ? FAR_OUTSIDE : distance / view.scale;
    }
  }
  return distances;
}

/** One grid row's view of one axis: what the views on that axis allow, per node along it. */
interface RowProfile {
  /** Signed horizontal distance to the allowed runs' ends. */
  horizontal: Float64Array;
  /** Half the length of the allowed run a node is in (or nearest to). */
  half: Float64Array;
  /** Signed distance to the outline in the silhouettes' plane, horizontally or vertically, whichever is nearer. */
  signed: Float64Array;
}

function createRowProfile(count: number): RowProfile {
  return { horizontal: new Float64Array(count), half: new Float64Array(count), signed: new Float64Array(count) };
}

/** Intersects the views on one axis: each profile value is the smallest (most outside) any view gives. */
function fillRowProfile(
  profile: RowProfile,
  input: { views: PlacedView[]; columns: Float64Array[]; axis: Float64Array; rows: number },
  y: number,
  row: number,
): void {
  const { views, columns, axis, rows } = input;
  profile.horizontal.fill(Infinity);
  profile.half.fill(Infinity);
  const vertical = new Float64Array(axis.length).fill(Infinity);
  const half = new Float64Array(1);
  views.forEach((view, v) => {
    const { width, height } = view.image;
    const pixelRow = Math.floor(pixelY(view, y));
    const runs = new Int32Array(width + 2);
    const count = pixelRow >= 0 && pixelRow < height ? findRuns(view.mask, pixelRow * width, width, 1, runs) : 0;
    for (let n = 0; n < axis.length; n++) {
      const distance = runDistance(runs, count, pixelX(view, axis[n]!), half);
      profile.horizontal[n] = Math.min(profile.horizontal[n]!, distance === FAR_OUTSIDE ? FAR_OUTSIDE : distance / view.scale);
      profile.half[n] = Math.min(profile.half[n]!, half[0]! / view.scale);
      vertical[n] = Math.min(vertical[n]!, columns[v]![n * rows + row]!);
    }
  });
  for (let n = 0; n < axis.length; n++) {
    const horizontal = profile.horizontal[n]!;
    const up = vertical[n]!;
    // Inside both: the nearer outline; outside: the nearer of the two ways out is a fair distance.
    profile.signed[n] = horizontal > 0 && up > 0 ? Math.min(horizontal, up) : Math.max(horizontal, up);
  }
}
