import { scratchInt32, uninitialisedInt32 } from '../memory/scratch-memory.js';
/**
 * Why a mesh is not a closed, consistently wound, outward-facing 2-manifold, or null when it is:
 * no repeated corners, every directed edge used once and its reverse once (closed and consistently
 * wound), one fan of triangles around each vertex (no pinches), and positive signed volume
 * (y up). One loop per function, for V8 (see field/distance-transform.ts).
 */
export function findClosedMeshProblem(indices: Uint32Array, positions: ArrayLike<number>): string | null {
  if (indices.length === 0 || indices.length % 3 !== 0) return 'no whole triangles';
  const degenerate = findDegenerateTriangle(indices);
  if (degenerate >= 0) return `triangle ${degenerate} repeats a vertex`;
  const table = buildHalfEdgeTable(indices);
  const twins = uninitialisedInt32(indices.length);
  const unpaired = pairHalfEdges(indices, table, twins);
  if (unpaired >= 0) {
    return `edge ${indices[unpaired]}→${indices[nextInTriangle(unpaired)]} is repeated or has no opposite: the mesh is open, non-manifold or flipped`;
  }
  const pinched = findPinchedVertex(indices, twins);
  if (pinched >= 0) return `vertex ${pinched} joins separate fans of triangles`;
  const volume = signedVolume(indices, positions);
  return volume > 0 ? null : `signed volume ${volume} is not positive`;
}

export function signedVolume(indices: Uint32Array, positions: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < indices.length; i += 3) {
    const a = indices[i]! * 3, b = indices[i + 1]! * 3, c = indices[i + 2]! * 3;
    const ax = positions[a]!, ay = positions[a + 1]!, az = positions[a + 2]!;
    const bx = positions[b]!, by = positions[b + 1]!, bz = positions[b + 2]!;
    const cx = positions[c]!, cy = positions[c + 1]!, cz = positions[c + 2]!;
    sum += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
  }
  return sum / 6;
}

function findDegenerateTriangle(indices: Uint32Array): number {
  for (let i = 0; i < indices.length; i += 3) {
    const a = indices[i]!, b = indices[i + 1]!, c = indices[i + 2]!;
    if (a === b || b === c || c === a) return i / 3;
  }
  return -1;
}

function nextInTriangle(h: number): number {
  return h % 3 === 2 ? h - 2 : h + 1;
}

function previousInTriangle(h: number): number {
  return h % 3 === 0 ? h + 2 : h - 1;
}

/** Fills `twins`; returns a half-edge that is duplicated or has no opposite, or −1. */
function pairHalfEdges(indices: Uint32Array, table: HalfEdgeTable, twins: Int32Array): number {
  for (let h = 0; h < indices.length; h++) {
    const from = indices[h]!;
    const to = indices[nextInTriangle(h)]!;
    const twin = findHalfEdge(table, indices, to, from);
    if (findHalfEdge(table, indices, from, to) !== h || twin < 0) return h;
    twins[h] = twin;
  }
  return -1;
}

/** Walks each vertex's fan (twin of the previous half-edge) and checks it reaches every outgoing half-edge. */
function findPinchedVertex(indices: Uint32Array, twins: Int32Array): number {
  const vertexCount = maxIndex(indices) + 1;
  const outgoing = scratchInt32(vertexCount);
  const firstOut = uninitialisedInt32(vertexCount).fill(-1);
  countOutgoing(indices, outgoing, firstOut);
  for (let vertex = 0; vertex < vertexCount; vertex++) {
    const start = firstOut[vertex]!;
    if (start >= 0 && fanSize(start, twins, outgoing[vertex]!) !== outgoing[vertex]) return vertex;
  }
  return -1;
}

function fanSize(start: number, twins: Int32Array, limit: number): number {
  let steps = 0;
  let h = start;
  do {
    h = twins[previousInTriangle(h)]!;
    steps++;
  } while (h !== start && steps <= limit);
  return steps;
}

function countOutgoing(indices: Uint32Array, outgoing: Int32Array, firstOut: Int32Array): void {
  for (let h = 0; h < indices.length; h++) {
    const vertex = indices[h]!;
    outgoing[vertex]!++;
    if (firstOut[vertex] === -1) firstOut[vertex] = h;
  }
}

function maxIndex(indices: Uint32Array): number {
  let max = 0;
  for (let i = 0; i < indices.length; i++) if (indices[i]! > max) max = indices[i]!;
  return max;
}

/** Open-addressing hash of directed edges (from, to) → first half-edge index, on typed arrays. */
interface HalfEdgeTable {
  slots: Int32Array;
  mask: number;
}

function buildHalfEdgeTable(indices: Uint32Array): HalfEdgeTable {
  let capacity = 1;
  while (capacity < indices.length * 2) capacity *= 2;
  const table = { slots: uninitialisedInt32(capacity).fill(-1), mask: capacity - 1 };
  for (let h = 0; h < indices.length; h++) {
    const slot = slotOf(table, indices, indices[h]!, indices[nextInTriangle(h)]!);
    if (table.slots[slot]! < 0) table.slots[slot] = h;
  }
  return table;
}

function findHalfEdge(table: HalfEdgeTable, indices: Uint32Array, from: number, to: number): number {
  return table.slots[slotOf(table, indices, from, to)]!;
}

/** The slot holding (from, to), or the empty slot where it would go. */
function slotOf(table: HalfEdgeTable, indices: Uint32Array, from: number, to: number): number {
  let slot = (Math.imul(from, 0x9e3779b1) ^ Math.imul(to, 0x85ebca77)) & table.mask;
  for (;;) {
    const h = table.slots[slot]!;
    if (h < 0 || (indices[h] === from && indices[nextInTriangle(h)] === to)) return slot;
    slot = (slot + 1) & table.mask;
  }
}
