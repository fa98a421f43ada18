import { uninitialisedUint32 } from '../memory/scratch-memory.js';
import type { EdgeTable } from './grid-edges.js';
import type { MarchGrid } from './plan-grid.js';

interface EmitInput {
  grid: MarchGrid;
  signed: Float32Array;
  nodeVertex: Int32Array;
  edges: EdgeTable;
  backOffset: number;
}

/** Triangles a clipped grid triangle with 0, 1, 2 or 3 inside corners becomes. */
const CLIPPED_TRIANGLES = [0, 1, 2, 1];

/**
 * The triangles of a marched surface: each grid cell's two triangles clipped to the inside, written
 * once on the front sheet and mirrored on the back; rim vertices are shared by both sheets. The
 * front sheet comes first, then the back.
 */
export function emitTriangles(input: EmitInput): Uint32Array {
  const frontCount = countClippedTriangles(input.signed, input.grid);
  const writer: TriangleWriter = { ...input, indices: uninitialisedUint32(frontCount * 6), cursor: 0, backStart: frontCount * 3 };
  const { columns, rows } = input.grid;
  for (let row = 0; row < rows - 1; row++) {
    for (let column = 0; column < columns - 1; column++) clipCell(writer, row, column);
  }
  return writer.indices;
}

function countClippedTriangles(signed: Float32Array, grid: MarchGrid): number {
  const { columns, rows } = grid;
  let count = 0;
  for (let row = 0; row < rows - 1; row++) {
    for (let column = 0; column < columns - 1; column++) {
      const a = row * columns + column;
      const inA = signed[a]! > 0 ? 1 : 0;
      const inB = signed[a + 1]! > 0 ? 1 : 0;
      const inC = signed[a + columns + 1]! > 0 ? 1 : 0;
      const inD = signed[a + columns]! > 0 ? 1 : 0;
      // Both diagonals split the cell into two triangles that share the diagonal's two corners.
      count += ((row + column) & 1) === 0 ? CLIPPED_TRIANGLES[inA + inB + inC]! + CLIPPED_TRIANGLES[inA + inC + inD]! : CLIPPED_TRIANGLES[inA + inB + inD]! + CLIPPED_TRIANGLES[inB + inC + inD]!;
    }
  }
  return count;
}

/**
 * Clips a cell's two triangles, given counter-clockwise in image space (y down) with their edges:
 * e0 joins n0→n1, e1 n1→n2, e2 n2→n0. Corners a b / d c; the diagonal runs a–c on even cells, b–d on odd.
 */
function clipCell(writer: TriangleWriter, row: number, column: number): void {
  const { columns } = writer.grid;
  const { verticalStart, diagonalStart } = writer.edges;
  const a = row * columns + column;
  const b = a + 1;
  const c = a + columns + 1;
  const d = a + columns;
  const top = row * (columns - 1) + column;
  const bottom = top + columns - 1;
  const left = verticalStart + a;
  const right = left + 1;
  const diagonal = diagonalStart + row * (columns - 1) + column;
  if (((row + column) & 1) === 0) {
    clipTriangle(writer, a, b, c, top, right, diagonal);
    clipTriangle(writer, a, c, d, diagonal, bottom, left);
  } else {
    clipTriangle(writer, a, b, d, top, diagonal, left);
    clipTriangle(writer, b, c, d, right, bottom, diagonal);
  }
}

interface TriangleWriter extends EmitInput {
  indices: Uint32Array;
  cursor: number;
  backStart: number;
}

/** Clips one grid triangle to the inside and writes the pieces on both sheets. */
// Six numbers, not two arrays: this runs for every grid triangle.
function clipTriangle(writer: TriangleWriter, n0: number, n1: number, n2: number, e0: number, e1: number, e2: number): void {
  const { signed, nodeVertex, edges } = writer;
  const in0 = signed[n0]! > 0;
  const in1 = signed[n1]! > 0;
  const in2 = signed[n2]! > 0;
  const inside = (in0 ? 1 : 0) + (in1 ? 1 : 0) + (in2 ? 1 : 0);
  if (inside === 0) return;
  if (inside === 3) {
    writeTriangle(writer, nodeVertex[n0]!, nodeVertex[n1]!, nodeVertex[n2]!, 3);
    return;
  }
  const nodes = [n0, n1, n2];
  const sides = [e0, e1, e2];
  // Rotate (keeping the winding) so the odd corner out comes first: the lone inside corner, or the lone outside one.
  const r = inside === 1 ? (in0 ? 0 : in1 ? 1 : 2) : !in0 ? 0 : !in1 ? 1 : 2;
  const p1 = nodeVertex[nodes[(r + 1) % 3]!]!;
  const p2 = nodeVertex[nodes[(r + 2) % 3]!]!;
  const x01 = edges.vertex[sides[r]!]!;
  const x20 = edges.vertex[sides[(r + 2) % 3]!]!;
  if (inside === 1) {
    // Corner r inside: the triangle p0, x01, x20.
    writeTriangle(writer, nodeVertex[nodes[r]!]!, x01, x20, 1);
  } else {
    // Corner r outside: the quad p1, p2, x20, x01.
    writeTriangle(writer, p1, p2, x20, 2);
    writeTriangle(writer, p1, x20, x01, 1);
  }
}

/**
 * Writes a front triangle (reversed: counter-clockwise once y points up) and its mirror on the back
 * sheet. `nodeCorners` says how many leading corners are grid nodes, which have a back twin;
 * the rest are rim vertices, shared by both sheets.
 */
function writeTriangle(writer: TriangleWriter, v0: number, v1: number, v2: number, nodeCorners: 1 | 2 | 3): void {
  const { indices, backOffset } = writer;
  const front = writer.cursor;
  const back = writer.backStart + front;
  indices[front] = v0;
  indices[front + 1] = v2;
  indices[front + 2] = v1;
  indices[back] = v0 + backOffset;
  indices[back + 1] = nodeCorners >= 2 ? v1 + backOffset : v1;
  indices[back + 2] = nodeCorners === 3 ? v2 + backOffset : v2;
  writer.cursor = front + 3;
}
