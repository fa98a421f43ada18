import { uninitialisedFloat32 } from '../memory/scratch-memory.js';
import { distanceTransform2d, FAR } from './distance-transform.js';
import type { RevolvedBody } from './revolved-body.js';
import type { SignedField } from './signed-distance.js';

/**
 * Height for a solid of revolution, pixels per field pixel (0 outside): the body's front half,
 * h = √(r² − (x − c)²) on each row's circle, so every horizontal cross-section of the two-sided
 * surface is that circle; united (the larger height) with Puffball tubes grown only from the
 * pixels outside the body (a handle, a spout). Those tubes take their radius from the whole
 * silhouette, so they stay round into the body instead of pinching where they meet it.
 */
export function computeRevolvedHeight(field: SignedField, body: RevolvedBody): Float32Array {
  const tubes = remainderSources(field, body);
  distanceTransform2d(tubes, field.width, field.height);
  const { values, width, height } = field;
  for (let j = 0; j < height; j++) {
    const row = field.top + j - body.top;
    const centre = row >= 0 && row < body.radii.length ? body.centres[row]! : 0;
    const radius = row >= 0 && row < body.radii.length ? body.radii[row]! : 0;
    for (let i = 0; i < width; i++) {
      const index = j * width + i;
      if (values[index]! <= 0) {
        tubes[index] = 0;
        continue;
      }
      const offset = field.left + i + 0.5 - centre;
      const revolved = radius * radius - offset * offset;
      const tube = tubes[index]! < 0 ? -tubes[index]! : 0;
      tubes[index] = Math.sqrt(Math.max(revolved, tube));
    }
  }
  return tubes;
}

/** −r² at inside pixels off the body (r: distance to the silhouette), FAR elsewhere: the sources of the tubes' envelope. */
function remainderSources(field: SignedField, body: RevolvedBody): Float32Array {
  const { values, width, height } = field;
  const grid = uninitialisedFloat32(values.length);
  for (let j = 0; j < height; j++) {
    const row = field.top + j - body.top;
    const inBody = row >= 0 && row < body.radii.length;
    const centre = inBody ? body.centres[row]! : 0;
    const radius = inBody ? body.radii[row]! : 0;
    for (let i = 0; i < width; i++) {
      const index = j * width + i;
      const r = values[index]!;
      const onBody = Math.abs(field.left + i + 0.5 - centre) < radius;
      grid[index] = r > 0 && !onBody ? -r * r : FAR;
    }
  }
  return grid;
}
