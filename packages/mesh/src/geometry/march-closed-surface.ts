import { sampleBilinear } from '../field/sample-bilinear.js';
import type { SignedField } from '../field/signed-distance.js';
import { uninitialisedFloat32, uninitialisedFloat64, uninitialisedInt32 } from '../memory/scratch-memory.js';
import { emitTriangles } from './emit-sheet-triangles.js';
import { type EdgeTable, createEdgeTable, edgeEnds } from './grid-edges.js';
import type { PixelMesh } from './pixel-mesh.js';
import type { MarchGrid } from './plan-grid.js';

/** Keeps rim vertices off grid nodes, so no two vertices share a position and no triangle collapses. */
const MIN_EDGE_FRACTION = 0.05;
/** Front and back vertices must differ even where the height rounds to nothing. */
const MIN_HEIGHT = 0.01;

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
