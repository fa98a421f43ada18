/**
 * The preview camera: a perspective view that frames the model's bounding sphere, so every yaw of
 * the same model is drawn at the same scale and a turntable of views lines up.
 */

/** Vertical (and, the image being square, horizontal) field of view: mild perspective, like a product shot. */
const FIELD_OF_VIEW_DEGREES = 30;
/** Leaves a thin margin around the sphere so silhouettes never touch the image edge. */
const FRAMING_MARGIN = 1.06;

export interface BoundingSphere {
  centre: [number, number, number];
  radius: number;
}

export interface PreviewCamera {
  /** Row-major 3×3 rotation applied after moving the sphere's centre to the origin. */
  rotation: Float64Array;
  centre: [number, number, number];
  /** Distance from the camera to the sphere's centre, along the view axis. */
  distance: number;
  /** Focal length in pixels of the (square) render target. */
  focalPixels: number;
  /** Half the render target's size in pixels: the principal point. */
  halfSize: number;
}

/**
 * Centre of the axis-aligned bounding box and the farthest vertex from it. Not the minimal sphere,
 * but it does not depend on the view, which is what keeps the turntable steady.
 */
export function computeBoundingSphere(positions: Float32Array): BoundingSphere {
  const count = (positions.length / 3) | 0;
  if (count === 0) return { centre: [0, 0, 0], radius: 1 };
  let minX = Infinity, minY = Infinity, minZ = Infinity;
  let maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity;
  for (let i = 0; i < count * 3; i += 3) {
    const x = positions[i]!, y = positions[i + 1]!, z = positions[i + 2]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (z < minZ) minZ = z;
    if (z > maxZ) maxZ = z;
  }
  const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2, cz = (minZ + maxZ) / 2;
  let radiusSquared = 0;
  for (let i = 0; i < count * 3; i += 3) {
    const dx = positions[i]! - cx, dy = positions[i + 1]! - cy, dz = positions[i + 2]! - cz;
    const d = dx * dx + dy * dy + dz * dz;
    if (d > radiusSquared) radiusSquared = d;
  }
  // A single point (or nothing finite) still needs a usable camera.
  const radius = Math.sqrt(radiusSquared);
  return { centre: [cx, cy, cz], radius: radius > 0 && Number.isFinite(radius) ? radius : 1 };
}

/**
 * Turns the model by `yawDegrees` about +Y (positive turns its front, +Z, towards +X, i.e. to the
 * viewer's right) and then tips its top towards the viewer by `pitchDegrees`, which is the same as
 * looking down on it from slightly above.
 */
export function createPreviewCamera(options: {
  sphere: BoundingSphere;
  sizePixels: number;
  yawDegrees: number;
  pitchDegrees: number;
}): PreviewCamera {
  const yaw = (options.yawDegrees * Math.PI) / 180;
  const pitch = (options.pitchDegrees * Math.PI) / 180;
  const cy = Math.cos(yaw), sy = Math.sin(yaw);
  const cp = Math.cos(pitch), sp = Math.sin(pitch);
  // Rx(pitch) · Ry(yaw), written out.
  const rotation = new Float64Array([cy, 0, sy, sp * sy, cp, -sp * cy, -cp * sy, sp, cp * cy]);
  const halfFov = (FIELD_OF_VIEW_DEGREES * Math.PI) / 360;
  const halfSize = options.sizePixels / 2;
  return {
    rotation,
    centre: options.sphere.centre,
    // At this distance the sphere's silhouette cone just touches the frame (times the margin).
    distance: (options.sphere.radius * FRAMING_MARGIN) / Math.sin(halfFov),
    focalPixels: halfSize / Math.tan(halfFov),
    halfSize,
  };
}
