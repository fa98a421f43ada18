import { uninitialisedInt32, uninitialisedUint8 } from '../memory/scratch-memory.js';

/**
 * Drops "fins": pairs of triangles over the same three vertices. Edge collapses in a thin part
 * (a star's tip, where front and back meet at the rim) can fold the last front and back
 * triangles onto each other; the two cancel out (no area, no volume) but make their edges
 * non-manifold. Returns the indices without them (the same array when there are none).
 */
export function removeFins(indices: Uint32Array): Uint32Array {
  const triangles = indices.length / 3;
  const firstWithKey = buildTriangleTable(indices);
  const drop = uninitialisedUint8(triangles).fill(0);
  let dropped = 0;
  for (let t = 0; t < triangles; t++) {
    const twin = findTwin(indices, firstWithKey, t);
    if (twin < 0) continue;
    drop[t] = 1;
    drop[twin] = 1;
    dropped++;
  }
  return dropped === 0 ? indices : keepTriangles(indices, drop);
}

interface TriangleTable {
  slots: Int32Array;
  mask: number;
}

/** Open-addressing hash of triangles by their vertex set, on typed arrays. */
function buildTriangleTable(indices: Uint32Array): TriangleTable {
  let capacity = 1;
  while (capacity < (indices.length / 3) * 2) capacity *= 2;
  const table = { slots: uninitialisedInt32(capacity).fill(-1), mask: capacity - 1 };
  for (let t = 0; t < indices.length / 3; t++) {
    let slot = hashTriangle(indices, t) & table.mask;
    while (table.slots[slot]! >= 0) slot = (slot + 1) & table.mask;
    table.slots[slot] = t;
  }
  return table;
}

/** Another triangle, later than `t`, over the same vertices; −1 if none. */
function findTwin(indices: Uint32Array, table: TriangleTable, t: number): number {
  let slot = hashTriangle(indices, t) & table.mask;
  for (;;) {
    const other = table.slots[slot]!;
    if (other < 0) return -1;
    if (other > t && sameVertices(indices, t, other)) return other;
    slot = (slot + 1) & table.mask;
  }
}

/** Order-independent: the three vertices' hashes summed. */
function hashTriangle(indices: Uint32Array, t: number): number {
  return (Math.imul(indices[t * 3]!, 0x9e3779b1) + Math.imul(indices[t * 3 + 1]!, 0x9e3779b1) + Math.imul(indices[t * 3 + 2]!, 0x9e3779b1)) >>> 0;
}

function sameVertices(indices: Uint32Array, a: number, b: number): boolean {
  const x = indices[a * 3]!, y = indices[a * 3 + 1]!, z = indices[a * 3 + 2]!;
  const p = indices[b * 3]!, q = indices[b * 3 + 1]!, r = indices[b * 3 + 2]!;
  return (x === p || x === q || x === r) && (y === p || y === q || y === r) && (z === p || z === q || z === r);
}

function keepTriangles(indices: Uint32Array, drop: Uint8Array): Uint32Array {
  const kept: number[] = [];
  for (let t = 0; t < drop.length; t++) if (drop[t] === 0) kept.push(indices[t * 3]!, indices[t * 3 + 1]!, indices[t * 3 + 2]!);
  return Uint32Array.from(kept);
}
