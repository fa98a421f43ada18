import type { ProjectedVertices } from './project-vertices.js';

/**
 * A visibility buffer: per sample, the nearest triangle and its perspective-correct weights. Shading
 * runs afterwards, once per covered sample, so hidden fragments of a 100k-triangle mesh cost only a
 * depth test.
 */
export interface RasterTarget {
  width: number;
  height: number;
  /** Inverse view depth of the nearest surface; 0 means nothing (infinitely far). */
  depth: Float32Array;
  /** Index of the nearest triangle, or -1. */
  triangle: Int32Array;
  /** Perspective-correct barycentric weights of the triangle's first two corners. */
  weight0: Float32Array;
  weight1: Float32Array;
  /** 1 where the visible side is the triangle's back (we look into an open mesh or a hole). */
  backFacing: Uint8Array;
}

/**
 * Samples exactly on an edge shared by two triangles may compute tiny opposite-signed weights in
 * float; accepting a hair outside closes those pinholes, and the depth test settles the overlap.
 */
const EDGE_TOLERANCE = -1e-6;

export function createRasterTarget(width: number, height: number): RasterTarget {
  const count = width * height;
  return {
    width,
    height,
    depth: new Float32Array(count),
    triangle: new Int32Array(count).fill(-1),
    weight0: new Float32Array(count),
    weight1: new Float32Array(count),
    backFacing: new Uint8Array(count),
  };
}

/**
 * Draws every triangle, both sides, with a depth test. Samples are taken at pixel centres; a
 * strictly-nearer test means the first triangle drawn wins ties, so output depends only on input.
 */
export function rasterizeTriangles(target: RasterTarget, vertices: ProjectedVertices, indices: Uint32Array): void {
  const { width, height, depth, triangle, weight0, weight1, backFacing } = target;
  const { screenX, screenY, inverseDepth } = vertices;
  const triangleCount = (indices.length / 3) | 0;
  for (let t = 0; t < triangleCount; t++) {
    const a = indices[3 * t]!, b = indices[3 * t + 1]!, c = indices[3 * t + 2]!;
    const x0 = screenX[a]!, y0 = screenY[a]!, q0 = inverseDepth[a]!;
    const x1 = screenX[b]!, y1 = screenY[b]!, q1 = inverseDepth[b]!;
    const x2 = screenX[c]!, y2 = screenY[c]!, q2 = inverseDepth[c]!;
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    // Skips degenerate triangles and NaN alike.
    if (!(area > 0 || area < 0)) continue;
    const minX = Math.max(0, Math.ceil(Math.min(x0, x1, x2) - 0.5));
    const maxX = Math.min(width - 1, Math.floor(Math.max(x0, x1, x2) - 0.5));
    const minY = Math.max(0, Math.ceil(Math.min(y0, y1, y2) - 0.5));
    const maxY = Math.min(height - 1, Math.floor(Math.max(y0, y1, y2) - 0.5));
    if (minX > maxX || minY > maxY) continue;
    const inverseArea = 1 / area;
    // Barycentric weights as affine functions of the sample position: l = ax·px + ay·py + k.
    const a0x = -(y2 - y1) * inverseArea, a0y = (x2 - x1) * inverseArea;
    const k0 = -(a0x * x1 + a0y * y1);
    const a1x = -(y0 - y2) * inverseArea, a1y = (x0 - x2) * inverseArea;
    const k1 = -(a1x * x2 + a1y * y2);
    // Screen y points down, so a counter-clockwise (front) face has a negative area here.
    const back = area > 0 ? 1 : 0;
    for (let py = minY; py <= maxY; py++) {
      const sampleY = py + 0.5;
      const row0 = a0y * sampleY + k0;
      const row1 = a1y * sampleY + k1;
      const rowOffset = py * width;
      for (let px = minX; px <= maxX; px++) {
        const sampleX = px + 0.5;
        const l0 = a0x * sampleX + row0;
        const l1 = a1x * sampleX + row1;
        const l2 = 1 - l0 - l1;
        if (l0 < EDGE_TOLERANCE || l1 < EDGE_TOLERANCE || l2 < EDGE_TOLERANCE) continue;
        const z = l0 * q0 + l1 * q1 + l2 * q2;
        const p = rowOffset + px;
        if (z <= depth[p]!) continue;
        depth[p] = z;
        triangle[p] = t;
        weight0[p] = (l0 * q0) / z;
        weight1[p] = (l1 * q1) / z;
        backFacing[p] = back;
      }
    }
  }
}
