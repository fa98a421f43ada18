import type { PreviewCamera } from './camera.js';

/** Vertices in render-target space: what the rasteriser and the shader read. */
export interface ProjectedVertices {
  /** Pixel coordinates, x to the right and y down, pixel centres at +0.5. */
  screenX: Float32Array;
  screenY: Float32Array;
  /**
   * 1 / distance along the view axis. It is linear in screen space, so it serves both as the depth
   * (bigger is nearer) and as the weight for perspective-correct interpolation.
   */
  inverseDepth: Float32Array;
  /** Normals rotated into view space (x right, y up, z towards the viewer). */
  viewNormals: Float32Array;
}

export function projectVertices(
  positions: Float32Array,
  normals: Float32Array,
  camera: PreviewCamera,
): ProjectedVertices {
  const count = (positions.length / 3) | 0;
  const screenX = new Float32Array(count);
  const screenY = new Float32Array(count);
  const inverseDepth = new Float32Array(count);
  const viewNormals = new Float32Array(count * 3);
  const r = camera.rotation;
  const r0 = r[0]!, r1 = r[1]!, r2 = r[2]!, r3 = r[3]!, r4 = r[4]!, r5 = r[5]!, r6 = r[6]!, r7 = r[7]!, r8 = r[8]!;
  const [cx, cy, cz] = camera.centre;
  const { distance, focalPixels, halfSize } = camera;
  for (let v = 0; v < count; v++) {
    const i = v * 3;
    const x = positions[i]! - cx, y = positions[i + 1]! - cy, z = positions[i + 2]! - cz;
    const vx = r0 * x + r1 * y + r2 * z;
    const vy = r3 * x + r4 * y + r5 * z;
    const vz = r6 * x + r7 * y + r8 * z;
    // The framing distance keeps the whole bounding sphere in front of the camera, so w > 0.
    const q = 1 / (distance - vz);
    screenX[v] = halfSize + focalPixels * vx * q;
    screenY[v] = halfSize - focalPixels * vy * q;
    inverseDepth[v] = q;
    const nx = normals[i]!, ny = normals[i + 1]!, nz = normals[i + 2]!;
    viewNormals[i] = r0 * nx + r1 * ny + r2 * nz;
    viewNormals[i + 1] = r3 * nx + r4 * ny + r5 * nz;
    viewNormals[i + 2] = r6 * nx + r7 * ny + r8 * nz;
  }
  return { screenX, screenY, inverseDepth, viewNormals };
}
