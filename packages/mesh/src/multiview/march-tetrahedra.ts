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
  const positions: number[] = [];
  const indices: number[] = [];
  // Edge vertices of the current row's nodes (every direction) and the next row's (flat directions):
  // an edge belongs to its lower end, so two rows of slots hold every edge a row of cubes touches.
  let lower = new Int32Array(perRow * 8).fill(-1);
  let upper = new Int32Array(perRow * 8).fill(-1);
  const corner = new Int32Array(8);
  const value = new Float64Array(8);
  const split = new Int32Array(8);
  for (let j = 0; j + 1 < grid.ny; j++) {
    for (let k = 0; k + 1 < nz; k++) {
      for (let i = 0; i + 1 < nx; i++) {
        let inside = 0;
        for (let c = 0; c < 8; c++) {
          const node = i + (c & 1) + nx * (k + ((c >> 2) & 1) + nz * (j + ((c >> 1) & 1)));
          corner[c] = node;
          value[c] = values[node]!;
          if (value[c]! > 0) inside |= 1 << c;
        }
        if (inside === 0 || inside === 255) continue;
        for (const tet of TETRAHEDRA) emitTetrahedron({ tet, split, value, corner, i, j, k, grid, slots: { lower, upper, perRow }, positions, indices });
      }
    }
    [lower, upper] = [upper, lower.fill(-1)];
  }
  return { positions: Float64Array.from(positions), indices: Uint32Array.from(indices) };
}

interface TetInput {
  tet: readonly number[];
  /** Scratch: the tetrahedron's inside corners from 0, its outside ones from 4. */
  split: Int32Array;
  value: Float64Array;
  corner: Int32Array;
  i: number;
  j: number;
  k: number;
  grid: HullGrid;
  slots: { lower: Int32Array; upper: Int32Array; perRow: number };
  positions: number[];
  indices: number[];
}

function emitTetrahedron(input: TetInput): void {
  const { tet, value, split } = input;
  let insideCount = 0, outsideCount = 0;
  for (let t = 0; t < 4; t++) {
    const corner = tet[t]!;
    if (value[corner]! > 0) split[insideCount++] = corner;
    else split[4 + outsideCount++] = corner;
  }
  if (insideCount === 0 || outsideCount === 0) return;
  // Inside corners at split[0…], outside ones at split[4…].
  if (insideCount === 1 || outsideCount === 1) {
    const apex = insideCount === 1 ? split[0]! : split[4]!;
    const others = insideCount === 1 ? 4 : 0;
    const a = edgeVertex(input, apex, split[others]!), b = edgeVertex(input, apex, split[others + 1]!), c = edgeVertex(input, apex, split[others + 2]!);
    emitOriented(input, a, b, c, insideCount);
    return;
  }
  const p = split[0]!, q = split[1]!, r = split[4]!, s = split[5]!;
  const pr = edgeVertex(input, p, r), ps = edgeVertex(input, p, s), qs = edgeVertex(input, q, s), qr = edgeVertex(input, q, r);
  emitOriented(input, pr, ps, qs, insideCount);
  emitOriented(input, pr, qs, qr, insideCount);
}

/** Winds the triangle so its normal points from the inside corners (centroid) towards the outside ones. */
function emitOriented(input: TetInput, a: number, b: number, c: number, insideCount: number): void {
  const { positions, split } = input;
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
  if (nx * dx + ny * dy + nz * dz >= 0) input.indices.push(a, b, c);
  else input.indices.push(a, c, b);
}

/** The vertex where the field crosses zero on the edge between cube corners `from` and `to`, made once per edge. */
function edgeVertex(input: TetInput, from: number, to: number): number {
  // Kuhn edges join a corner to one whose bits include its own: the lower end is the one with fewer bits.
  const [low, high] = (from & to) === from ? [from, to] : [to, from];
  const direction = high ^ low;
  const { slots, grid, corner, value } = input;
  const lowNode = corner[low]!;
  const rowSlots = low & 2 ? slots.upper : slots.lower;
  const slot = (lowNode % slots.perRow) * 8 + direction;
  const existing = rowSlots[slot]!;
  if (existing >= 0) return existing;
  const fLow = value[low]!, fHigh = value[high]!;
  const t = Math.min(1 - MIN_EDGE_FRACTION, Math.max(MIN_EDGE_FRACTION, fLow / (fLow - fHigh)));
  const vertex = input.positions.length / 3;
  input.positions.push(
    grid.x0 + (input.i + (low & 1) + t * (direction & 1)) * grid.spacing,
    grid.y0 + (input.j + ((low >> 1) & 1) + t * ((direction >> 1) & 1)) * grid.spacing,
    grid.z0 + (input.k + ((low >> 2) & 1) + t * ((direction >> 2) & 1)) * grid.spacing,
  );
  rowSlots[slot] = vertex;
  return vertex;
}
