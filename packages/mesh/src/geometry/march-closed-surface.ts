import { sampleBilinear } from '../field/sample-bilinear.js';
import type { SignedField } from '../field/signed-distance.js';
import { type EdgeTable, createEdgeTable, edgeEnds } from './grid-edges.js';
import type { PixelMesh } from './pixel-mesh.js';
import { uninitialisedFloat32, uninitialisedFloat64, uninitialisedInt32, uninitialisedUint32 } from '../memory/scratch-memory.js';

/** Keeps rim vertices off grid nodes, so no two vertices share a position and no triangle collapses. */
const MIN_EDGE_FRACTION = 0.05;
/** Front and back vertices must differ even where the height rounds to nothing. */
const MIN_HEIGHT = 0.01;

export interface MarchGrid {
  spacing: number;
  /** Image coordinates of the first node. */
  originX: number;
  originY: number;
  columns: number;
  rows: number;
}

/**
 * Marching triangles over a regular grid (cells split along alternating diagonals), clipped at the
 * zero crossing of the signed distance. The clipped front sheet gets z = +h, a mirrored back sheet
 * z = −h, and both share the rim vertices (z = 0): the result is a closed, consistently wound
 * 2-manifold whose genus is the silhouette's number of holes. Front faces point at +z once y is
 * flipped to point up. Vertices: inside nodes (front), rim vertices, inside nodes (back).
 */
export function marchClosedSurface(field: SignedField, heights: Float32Array, grid: MarchGrid): PixelMesh {
  const signed = sampleNodes(field.values, field, grid);
  const lift = sampleNodes(heights, field, grid);
  const nodeVertex = uninitialisedInt32(signed.length);
  const insideCount = numberInsideNodes(signed, nodeVertex);
  const edges = createEdgeTable(grid.columns, grid.rows);
  const rimCount = numberCrossings(signed, edges, grid.columns, insideCount);
  const backOffset = insideCount + rimCount;
  const positions = uninitialisedFloat64((backOffset + insideCount) * 3);
  writeNodeVertices(positions, { grid, lift, nodeVertex, backOffset });
  writeRimVertices(positions, { grid, signed, edges });
  return { positions, indices: emitTriangles({ grid, signed, nodeVertex, edges, backOffset }) };
}

/** Samples a field-sized grid at every node. */
function sampleNodes(values: Float32Array, field: SignedField, grid: MarchGrid): Float32Array {
  const samples = uninitialisedFloat32(grid.columns * grid.rows);
  for (let node = 0; node < samples.length; node++) {
    const row = Math.floor(node / grid.columns);
    const u = grid.originX + (node - row * grid.columns) * grid.spacing - field.left - 0.5;
    const v = grid.originY + row * grid.spacing - field.top - 0.5;
    samples[node] = sampleBilinear(values, field.width, field.height, u, v);
  }
  return samples;
}

/** Numbers the inside nodes in raster order (−1 outside); returns how many. */
function numberInsideNodes(signed: Float32Array, nodeVertex: Int32Array): number {
  let count = 0;
  for (let node = 0; node < signed.length; node++) nodeVertex[node] = signed[node]! > 0 ? count++ : -1;
  return count;
}

/** Numbers, from `first`, the edges whose ends lie on opposite sides of the silhouette; returns how many. */
function numberCrossings(signed: Float32Array, edges: EdgeTable, columns: number, first: number): number {
  const ends = new Int32Array(2);
  let next = first;
  for (let edge = 0; edge < edges.vertex.length; edge++) {
    edgeEnds(edge, edges, columns, ends);
    edges.vertex[edge] = signed[ends[0]!]! > 0 !== signed[ends[1]!]! > 0 ? next++ : -1;
  }
  return next - first;
}

function writeNodeVertices(
  positions: Float64Array,
  input: { grid: MarchGrid; lift: Float32Array; nodeVertex: Int32Array; backOffset: number },
): void {
  const { grid, lift, nodeVertex, backOffset } = input;
  for (let node = 0; node < nodeVertex.length; node++) {
    const vertex = nodeVertex[node]!;
    if (vertex < 0) continue;
    const row = Math.floor(node / grid.columns);
    const front = vertex * 3;
    const back = (vertex + backOffset) * 3;
    const z = Math.max(MIN_HEIGHT, lift[node]!);
    positions[front] = positions[back] = grid.originX + (node - row * grid.columns) * grid.spacing;
    positions[front + 1] = positions[back + 1] = grid.originY + row * grid.spacing;
    positions[front + 2] = z;
    positions[back + 2] = -z;
  }
}

/** Rim vertices where the linear interpolation of the signed distance crosses zero along their edge; z = 0. */
function writeRimVertices(positions: Float64Array, input: { grid: MarchGrid; signed: Float32Array; edges: EdgeTable }): void {
  const { grid, signed, edges } = input;
  const ends = new Int32Array(2);
  for (let edge = 0; edge < edges.vertex.length; edge++) {
    const vertex = edges.vertex[edge]!;
    if (vertex < 0) continue;
    edgeEnds(edge, edges, grid.columns, ends);
    const a = ends[0]!;
    const b = ends[1]!;
    const t = Math.min(1 - MIN_EDGE_FRACTION, Math.max(MIN_EDGE_FRACTION, signed[a]! / (signed[a]! - signed[b]!)));
    const rowA = Math.floor(a / grid.columns);
    const rowB = Math.floor(b / grid.columns);
    const columnA = a - rowA * grid.columns;
    const columnB = b - rowB * grid.columns;
    positions[vertex * 3] = grid.originX + (columnA + t * (columnB - columnA)) * grid.spacing;
    positions[vertex * 3 + 1] = grid.originY + (rowA + t * (rowB - rowA)) * grid.spacing;
    positions[vertex * 3 + 2] = 0;
  }
}

interface EmitInput {
  grid: MarchGrid;
  signed: Float32Array;
  nodeVertex: Int32Array;
  edges: EdgeTable;
  backOffset: number;
}

/** Triangles a clipped grid triangle with 0, 1, 2 or 3 inside corners becomes. */
const CLIPPED_TRIANGLES = [0, 1, 2, 1];

function emitTriangles(input: EmitInput): Uint32Array {
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
