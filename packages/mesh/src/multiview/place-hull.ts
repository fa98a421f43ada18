import { computeVertexNormals } from '../geometry/vertex-normals.js';

export interface PlacedHull {
  /** glTF space: metres, Y up, the bounding box centred on the origin, its longest side 1. */
  positions: Float32Array;
  normals: Float32Array;
  /** The hull-space bounding box. */
  bounds: { minY: number; maxY: number };
}

/**
 * Moves the hull into glTF conventions as the single-view generator places its models (hull
 * space already has y up and z towards the front), with normals computed before the texture seam
 * duplicates any vertex, so shading has no seam.
 */
export function placeHull(source: Float64Array, indices: Uint32Array): PlacedHull {
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < source.length; i++) {
    min[i % 3] = Math.min(min[i % 3]!, source[i]!);
    max[i % 3] = Math.max(max[i % 3]!, source[i]!);
  }
  const scale = 1 / Math.max(max[0]! - min[0]!, max[1]! - min[1]!, max[2]! - min[2]!);
  const positions = new Float32Array(source.length);
  for (let i = 0; i < source.length; i++) positions[i] = (source[i]! - (min[i % 3]! + max[i % 3]!) / 2) * scale;
  return { positions, normals: computeVertexNormals(positions, indices), bounds: { minY: min[1]!, maxY: max[1]! } };
}
