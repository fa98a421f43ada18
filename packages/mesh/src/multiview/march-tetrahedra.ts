import type { HullGrid } from './hull-field.js';

/** Keeps surface vertices off grid nodes, so no two vertices share a position (as the 2D marcher does). */
const MIN_EDGE_FRACTION = 0.05;

/**
 * Each cube's six tetrahedra (Kuhn's triangulation): the paths from corner 0 to corner 7 that add
 * one axis at a time. Corner bits: 1 = +x, 2 = +y, 4 = +z. Every cube splits its faces along the
 * same diagonals, so neighbouring cubes' tetrahedra meet face to face.
 */
const TETRAHEDRA: readonly (readonly [number, number, number, number])[] = [
  [0, 1, 3, 7],
  [0, 1, 5, 7],
  [0, 2, 3, 7],
  [0, 2, 6, 7],
  [0, 4, 5, 7],
  [0, 4, 6, 7],
];

/**
 * Marching tetrahedra over the grid: the zero level set of the field, linearly interpolated on
 * each tetrahedron. Unlike marching cubes there are no ambiguous cases, so the result is always a
 * closed 2-manifold (every edge crossing is one vertex, shared by all the tetrahedra around that
 * edge), wound so that faces look out of the positive region. Positions are hull space (y up);
 * nodes outside the grid count as outside, so the grid must hold the whole shape.
 */
export function marchTetrahedra(values: Float32Array, grid: HullGrid): { positions: Float64Array; indices: Uint32Array } {
  const { nx, nz } = grid;
  const perRow = nx * nz;
  const state: MarchState = {
    tet: TETRAHEDRA[0]!,
    split: new Int32Array(8),
    value: new Float64Array(8),
    corner: new Int32Array(8),
    i: 0,
    j: 0,
    k: 0,
    grid,
    lower: new Int32Array(perRow * 8).fill(-1),
    upper: new Int32Array(perRow * 8).fill(-1),
    perRow,
    positions: new Float64Array(3 * 1024),
    vertexCount: 0,
    indices: new Uint32Array(3 * 2048),
    indexCount: 0,
  };
  const { corner, value } = state;
  for (let j = 0; j + 1 < grid.ny; j++) {
    state.j = j;
    for (let k = 0; k + 1 < nz; k++) {
      state.k = k;
      for (let i = 0; i + 1 < nx; i++) {
        let inside = 0;
        for (let c = 0; c < 8; c++) {
          const node = i + (c & 1) + nx * (k + ((c >> 2) & 1) + nz * (j + ((c >> 1) & 1)));
          corner[c] = node;
          value[c] = values[node]!;
          if (value[c]! > 0) inside |= 1 << c;
        }
        if (inside === 0 || inside === 255) continue;
        state.i = i;
        for (const tet of TETRAHEDRA) {
          state.tet = tet;
          emitTetrahedron(state);
        }
      }
    }
    const done = state.lower;
    state.lower = state.upper;
    state.upper = done.fill(-1);
  }
  return { positions: state.positions.slice(0, state.vertexCount * 3), indices: state.indices.slice(0, state.indexCount) };
}

/** The marcher's working state: one object for every tetrahedron, so the loop allocates nothing. */
interface MarchState {
  tet: readonly number[];
  /** Scratch: the tetrahedron's inside corners from 0, its outside ones from 4. */
  split: Int32Array;
  /** The current cube's corner values and node indices, by corner bits. */
  value: Float64Array;
  corner: Int32Array;
  i: number;
  j: number;
  k: number;
  grid: HullGrid;
  /**
   * Edge vertices by the edge's lower end and direction bits: of the current row's nodes (every
   * direction) and the next row's (flat directions). Two rows of slots hold every edge a row of cubes touches.
   */
  lower: Int32Array;
  upper: Int32Array;
  perRow: number;
  positions: Float64Array;
  vertexCount: number;
  indices: Uint32Array;
  indexCount: number;
}

function emitTetrahedron(state: MarchState): void {
  const { tet, value, split } = state;
  let insideCount = 0, outsideCount = 0;
  for (let t = 0; t < 4; t++) {
    const corner = tet[t]!;
    if (value[corner]! > 0) split[insideCount++] = corner;
    else split[4 + outsideCount++] = corner;
  }
  if (insideCount === 0 || outsideCount === 0) return;
  if (insideCount === 1 || outsideCount === 1) {
    const apex = insideCount === 1 ? split[0]! : split[4]!;
    const others = insideCount === 1 ? 4 : 0;
    const a = edgeVertex(state, apex, split[others]!), b = edgeVertex(state, apex, split[others + 1]!), c = edgeVertex(state, apex, split[others + 2]!);
    emitOriented(state, a, b, c, insideCount);
    return;
  }
  const p = split[0]!, q = split[1]!, r = split[4]!, s = split[5]!;
  const pr = edgeVertex(state, p, r), ps = edgeVertex(state, p, s), qs = edgeVertex(state, q, s), qr = edgeVertex(state, q, r);
  emitOriented(state, pr, ps, qs, insideCount);
  emitOriented(state, pr, qs, qr, insideCount);
}

/** Winds the triangle so its normal points from the inside corners (centroid) towards the outside ones. */
function emitOriented(state: MarchState, a: number, b: number, c: number, insideCount: number): void {
  const { positions, split } = state;
  const ax = positions[a * 3]!, ay = positions[a * 3 + 1]!, az = positions[a * 3 + 2]!;
  const ux = positions[b * 3]! - ax, uy = positions[b * 3 + 1]! - ay, uz = positions[b * 3 + 2]! - az;
  const vx = positions[c * 3]! - ax, vy = positions[c * 3 + 1]! - ay, vz = positions[c * 3 + 2]! - az;
  const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
  const outsideCount = 4 - insideCount;
  let dx = 0, dy = 0, dz = 0;
  for (let n = 0; n < outsideCount; n++) {
    const corner = split[4 + n]!;
    dx += (corner & 1) / outsideCount;
    dy += ((corner >> 1) & 1) / outsideCount;
    dz += ((corner >> 2) & 1) / outsideCount;
  }
  for (let n = 0; n < insideCount; n++) {
    const corner = split[n]!;
    dx -= (corner & 1) / insideCount;
    dy -= ((corner >> 1) & 1) / insideCount;
    dz -= ((corner >> 2) & 1) / insideCount;
  }
  const outward = nx * dx + ny * dy + nz * dz >= 0;
  if (state.indexCount + 3 > state.indices.length) state.indices = grow(state.indices, new Uint32Array(state.indices.length * 2));
  state.indices[state.indexCount++] = a;
  state.indices[state.indexCount++] = outward ? b : c;
  state.indices[state.indexCount++] = outward ? c : b;
}

/** The vertex where the field crosses zero on the edge between cube corners `from` and `to`, made once per edge. */
function edgeVertex(state: MarchState, from: number, to: number): number {
  // Kuhn edges join a corner to one whose bits include its own: the lower end is the one with fewer bits.
  const low = (from & to) === from ? from : to;
  const high = low === from ? to : from;
  const direction = high ^ low;
  const rowSlots = low & 2 ? state.upper : state.lower;
  const slot = (state.corner[low]! % state.perRow) * 8 + direction;
  const existing = rowSlots[slot]!;
  if (existing >= 0) return existing;
  const { grid, value } = state;
  const fLow = value[low]!, fHigh = value[high]!;
  const t = Math.min(1 - MIN_EDGE_FRACTION, Math.max(MIN_EDGE_FRACTION, fLow / (fLow - fHigh)));
  const vertex = state.vertexCount++;
  if (vertex * 3 + 3 > state.positions.length) state.positions = grow(state.positions, new Float64Array(state.positions.length * 2));
  state.positions[vertex * 3] = grid.x0 + (state.i + (low & 1) + t * (direction & 1)) * grid.spacing;
  state.positions[vertex * 3 + 1] = grid.y0 + (state.j + ((low >> 1) & 1) + t * ((direction >> 1) & 1)) * grid.spacing;
  state.positions[vertex * 3 + 2] = grid.z0 + (state.k + ((low >> 2) & 1) + t * ((direction >> 2) & 1)) * grid.spacing;
  rowSlots[slot] = vertex;
  return vertex;
}

/** `larger` holding `array`'s values first. */
function grow<T extends Float64Array | Uint32Array>(array: T, larger: T): T {
  larger.set(array);
  return larger;
}
