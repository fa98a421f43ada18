import { describe, expect, it } from 'vitest';

import { computeSignedDistance } from '../field/signed-distance.js';
import { findMaskBounds } from '../mask/mask-bounds.js';
import { analyseTopology } from '../test-support/mesh-topology.js';
import { findClosedMeshProblem } from './check-closed-mesh.js';
import { buildLensMesh } from './lens-mesh.js';

const SIZE = 100;
const mask = new Uint8Array(SIZE * SIZE);
for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) mask[y * SIZE + x] = Math.hypot(x + 0.5 - 50, y + 0.5 - 50) < 30 ? 1 : 0;
const field = computeSignedDistance(mask, { width: SIZE, height: SIZE }, { bounds: findMaskBounds(mask, SIZE, SIZE), margin: 4 });
const yUp = (positions: Float64Array): Float64Array => positions.map((value, i) => (i % 3 === 1 ? -value : value));

describe('buildLensMesh', () => {
  it.each([4, 5, 6, 7, 20, 96, 5_000])('is a closed, outward-facing shape within a budget of %i', (faceLimit) => {
    const lens = buildLensMesh(field, faceLimit, 20);
    expect(lens.indices.length / 3).toBeLessThanOrEqual(faceLimit);
    expect(findClosedMeshProblem(lens.indices, yUp(lens.positions))).toBeNull();
    expect(analyseTopology(Float32Array.from(lens.positions), lens.indices)).toMatchObject({ components: 1, borderEdges: 0 });
  });

  it('is a tetrahedron below six triangles, a bipyramid from six up', () => {
    expect(buildLensMesh(field, 5, 20).indices.length / 3).toBe(4);
    expect(buildLensMesh(field, 6, 20).indices.length / 3).toBe(6);
    expect(buildLensMesh(field, 21, 20).indices.length / 3).toBe(20);
  });

  it('runs its rim along the silhouette and its apexes at ± depth', () => {
    const lens = buildLensMesh(field, 40, 20);
    for (let v = 0; v < lens.positions.length / 3; v++) {
      const [x, y, z] = [lens.positions[v * 3]!, lens.positions[v * 3 + 1]!, lens.positions[v * 3 + 2]!];
      if (z === 0) expect(Math.abs(Math.hypot(x - 50, y - 50) - 30)).toBeLessThan(1.5);
      else expect(Math.abs(z)).toBe(20);
    }
  });
});
