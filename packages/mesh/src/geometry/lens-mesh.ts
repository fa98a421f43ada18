import type { SignedField } from '../field/signed-distance.js';
import { signedVolume } from './check-closed-mesh.js';
import type { PixelMesh } from './pixel-mesh.js';

/** Rim points of the low-poly lens; beyond this the regular pipeline always fits the budget. */
const MAX_RIM_POINTS = 48;

/**
 * The shape for budgets too small for the regular pipeline: a bipyramid whose rim follows the
 * silhouette's outline as seen from its centroid (2 × rim triangles), or for fewer than 6
 * triangles a tetrahedron spanning the silhouette (a horizontal edge in front, a vertical one
 * behind). Closed, and wound like the marched surface: clockwise in image space seen from +z.
 */
export function buildLensMesh(field: SignedField, faceLimit: number, depth: number): PixelMesh {
  const centre = insideCentroid(field);
  const mesh = faceLimit < 6 ? tetrahedron(field, centre, depth) : bipyramid(field, centre, depth, Math.min(MAX_RIM_POINTS, Math.floor(faceLimit / 2)));
  // Image space has y down, so an outward-facing mesh has negative volume here.
  if (signedVolume(mesh.indices, mesh.positions) > 0) mesh.indices.reverse();
  return mesh;
}

function bipyramid(field: SignedField, centre: [number, number], depth: number, rimPoints: number): PixelMesh {
  const positions = new Float64Array((rimPoints + 2) * 3);
  for (let i = 0; i < rimPoints; i++) {
    const angle = (2 * Math.PI * i) / rimPoints;
    const radius = outlineRadius(field, centre, Math.cos(angle), Math.sin(angle));
    positions[i * 3] = centre[0] + radius * Math.cos(angle);
    positions[i * 3 + 1] = centre[1] + radius * Math.sin(angle);
  }
  positions.set([centre[0], centre[1], depth, centre[0], centre[1], -depth], rimPoints * 3);
  const indices = new Uint32Array(rimPoints * 6);
  for (let i = 0; i < rimPoints; i++) {
    const next = (i + 1) % rimPoints;
    indices.set([rimPoints, next, i, rimPoints + 1, i, next], i * 6);
  }
  return { positions, indices };
}

function tetrahedron(field: SignedField, centre: [number, number], depth: number): PixelMesh {
  const [x, y] = centre;
  const left = outlineRadius(field, centre, -1, 0);
  const right = outlineRadius(field, centre, 1, 0);
  const up = outlineRadius(field, centre, 0, -1);
  const down = outlineRadius(field, centre, 0, 1);
  const positions = Float64Array.from([x - left, y, depth, x + right, y, depth, x, y - up, -depth, x, y + down, -depth]);
  return { positions, indices: Uint32Array.from([0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3]) };
}

/** Mean image position of the inside pixels. */
function insideCentroid(field: SignedField): [number, number] {
  let sumX = 0, sumY = 0, count = 0;
  for (let y = 0; y < field.height; y++) {
    for (let x = 0; x < field.width; x++) {
      if (field.values[y * field.width + x]! <= 0) continue;
      sumX += field.left + x + 0.5;
      sumY += field.top + y + 0.5;
      count++;
    }
  }
  return count === 0 ? [field.left + field.width / 2, field.top + field.height / 2] : [sumX / count, sumY / count];
}

/** Distance from the centre to the farthest inside pixel along a ray (at least half a pixel). */
function outlineRadius(field: SignedField, centre: [number, number], dx: number, dy: number): number {
  const reach = Math.hypot(field.width, field.height);
  let farthest = 0.5;
  for (let t = 0; t < reach; t += 0.5) {
    const column = Math.floor(centre[0] + t * dx) - field.left;
    const row = Math.floor(centre[1] + t * dy) - field.top;
    if (column < 0 || row < 0 || column >= field.width || row >= field.height) break;
    if (field.values[row * field.width + column]! > 0) farthest = Math.max(farthest, t + 0.5);
  }
  return farthest;
}
