import { uninitialisedInt32 } from '../memory/scratch-memory.js';
import type { PixelMesh } from './pixel-mesh.js';
import { compactMesh } from './simplify-mesh.js';

/** Shells with fewer triangles than this share of the largest are crumbs. */
const MIN_SHELL_SHARE = 0.02;

/**
 * Drops crumbs: closed shells much smaller than the largest. The grid can pinch a sub-cell
 * protrusion of the silhouette off into a shell of a few triangles, where front and back nearly
 * touch; edge collapses there tend to join the two sheets into a non-manifold knot.
 */
export function dropSmallShells(mesh: PixelMesh): PixelMesh {
  const shellOf = shellPerTriangle(mesh.indices, mesh.positions.length / 3);
  const sizes = new Int32Array(mesh.indices.length / 3);
  for (let t = 0; t < shellOf.length; t++) sizes[shellOf[t]!]!++;
  let largest = 0;
  for (const size of sizes) largest = Math.max(largest, size);
  const minimum = MIN_SHELL_SHARE * largest;
  let kept = 0;
  for (let t = 0; t < shellOf.length; t++) if (sizes[shellOf[t]!]! >= minimum) kept++;
  if (kept === shellOf.length) return mesh;
  return compactMesh({ positions: mesh.positions, indices: keepLargeShells(mesh.indices, shellOf, { sizes, minimum, kept }) });
}

/** The shell (the union-find root of its first vertex) of each triangle. */
function shellPerTriangle(indices: Uint32Array, vertexCount: number): Int32Array {
  const parent = uninitialisedInt32(vertexCount);
  for (let v = 0; v < vertexCount; v++) parent[v] = v;
  for (let i = 0; i < indices.length; i += 3) {
    union(parent, indices[i]!, indices[i + 1]!);
    union(parent, indices[i]!, indices[i + 2]!);
  }
  const shells = uninitialisedInt32(indices.length / 3);
  for (let t = 0; t < shells.length; t++) shells[t] = find(parent, indices[t * 3]!);
  return shells;
}

function keepLargeShells(indices: Uint32Array, shellOf: Int32Array, keep: { sizes: Int32Array; minimum: number; kept: number }): Uint32Array {
  const kept = new Uint32Array(keep.kept * 3);
  let cursor = 0;
  for (let t = 0; t < shellOf.length; t++) {
    if (keep.sizes[shellOf[t]!]! < keep.minimum) continue;
    kept[cursor++] = indices[t * 3]!;
    kept[cursor++] = indices[t * 3 + 1]!;
    kept[cursor++] = indices[t * 3 + 2]!;
  }
  return kept;
}

function find(parent: Int32Array, vertex: number): number {
  let v = vertex;
  while (parent[v] !== v) {
    parent[v] = parent[parent[v]!]!;
    v = parent[v]!;
  }
  return v;
}

function union(parent: Int32Array, a: number, b: number): void {
  const rootA = find(parent, a);
  const rootB = find(parent, b);
  if (rootA < rootB) parent[rootB] = rootA;
  else parent[rootA] = rootB;
}
