import { describe, expect, it } from 'vitest';

import { seededRandom } from '@image2model/testing/seeded-random';
import { distanceTransform2d, euclideanDistanceTransform2d, FAR } from './distance-transform.js';

/** min over q of |p − q|² + f(q), by trying every q. */
function bruteForce(f: Float32Array, width: number): Float32Array {
  const out = new Float32Array(f.length).fill(FAR);
  for (let p = 0; p < f.length; p++) {
    for (let q = 0; q < f.length; q++) {
      if (f[q]! >= FAR) continue;
      const dx = (p % width) - (q % width);
      const dy = Math.floor(p / width) - Math.floor(q / width);
      out[p] = Math.min(out[p]!, dx * dx + dy * dy + f[q]!);
    }
  }
  return out;
}

describe('distanceTransform2d', () => {
  it.each([
    [23, 17, 0.1],
    [40, 9, 0.02],
    [5, 31, 0.3],
  ])('gives exact squared Euclidean distances on a %i×%i grid with %f sources', (width, height, density) => {
    const random = seededRandom(width * height);
    const grid = Float32Array.from({ length: width * height }, () => (random() < density ? 0 : FAR));
    const expected = bruteForce(grid, width);
    distanceTransform2d(grid, width, height);
    expect(Array.from(grid)).toEqual(Array.from(expected));
  });

  it.each([
    [23, 17, 0.1],
    [8, 40, 0.01],
    [30, 30, 0],
  ])('has a faster twin for 0/FAR grids that agrees exactly (%i×%i, %f sources)', (width, height, density) => {
    const random = seededRandom(width + height);
    const grid = Float32Array.from({ length: width * height }, () => (random() < density ? 0 : FAR));
    const general = grid.slice();
    distanceTransform2d(general, width, height);
    euclideanDistanceTransform2d(grid, width, height);
    expect(Array.from(grid)).toEqual(Array.from(general));
  });

  it('is the lower envelope of paraboloids for arbitrary source values (as Puffball uses it)', () => {
    const random = seededRandom(7);
    const grid = Float32Array.from({ length: 30 * 20 }, () => (random() < 0.2 ? -Math.round(random() * 50) : FAR));
    const expected = bruteForce(grid, 30);
    distanceTransform2d(grid, 30, 20);
    expect(Array.from(grid)).toEqual(Array.from(expected));
  });

  it('leaves a grid without sources at FAR', () => {
    const grid = new Float32Array(12).fill(FAR);
    distanceTransform2d(grid, 4, 3);
    expect(Array.from(grid)).toEqual(new Array(12).fill(Math.fround(FAR)));
  });
});
