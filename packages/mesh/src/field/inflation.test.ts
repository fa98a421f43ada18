import { describe, expect, it } from 'vitest';

import { computePoissonHeight } from './poisson-height.js';
import { computePuffballHeight } from './puffball-height.js';
import { computeSignedDistance, type SignedField } from './signed-distance.js';

const SIZE = 201;

function fieldOf(inside: (x: number, y: number) => boolean): SignedField {
  const mask = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) mask[y * SIZE + x] = inside(x + 0.5, y + 0.5) ? 1 : 0;
  return computeSignedDistance(mask, { width: SIZE, height: SIZE }, { bounds: { minX: 0, minY: 0, maxX: SIZE - 1, maxY: SIZE - 1, area: 1 }, margin: 4 });
}

/** Height at image point (x, y): the field pixel whose centre it is. */
function heightAt(heights: Float32Array, field: SignedField, x: number, y: number): number {
  return heights[(Math.floor(y) - field.top) * field.width + Math.floor(x) - field.left]!;
}

const RADIUS = 80;
const disk = fieldOf((x, y) => Math.hypot(x - 100.5, y - 100.5) < RADIUS);

describe('computeSignedDistance', () => {
  it('puts the zero crossing on the silhouette, positive inside', () => {
    const value = (x: number, y: number): number => disk.values[(Math.floor(y) - disk.top) * disk.width + Math.floor(x) - disk.left]!;
    expect(Math.abs(value(100.5, 100.5) - RADIUS)).toBeLessThanOrEqual(1);
    expect(Math.abs(value(100.5 + RADIUS - 10, 100.5) - 10)).toBeLessThanOrEqual(1);
    expect(Math.abs(value(100.5 + RADIUS + 10, 100.5) + 10)).toBeLessThanOrEqual(1);
  });
});

describe('Puffball inflation', () => {
  const heights = computePuffballHeight(disk);

  it('makes a disk a hemisphere', () => {
    for (const r of [0, 20, 40, 60, 75]) {
      expect(Math.abs(heightAt(heights, disk, 100.5 + r, 100.5) - Math.sqrt(RADIUS ** 2 - r ** 2))).toBeLessThan(1.5);
    }
  });

  it('makes a thin strip a round tube: as high as half its width', () => {
    const strip = fieldOf((x, y) => x > 20 && x < 180 && Math.abs(y - 100.5) < 10);
    const tube = computePuffballHeight(strip);
    expect(Math.abs(heightAt(tube, strip, 100.5, 100.5) - 10)).toBeLessThanOrEqual(1);
    expect(Math.abs(heightAt(tube, strip, 60.5, 100.5) - 10)).toBeLessThanOrEqual(1);
  });

  it('is zero outside', () => {
    expect(heightAt(heights, disk, 100.5 + RADIUS + 5, 100.5)).toBe(0);
  });
});

describe('Poisson inflation', () => {
  const heights = computePoissonHeight(disk);

  it('also makes a disk a hemisphere, within the accuracy of its coarse solve', () => {
    for (const r of [0, 30, 60]) {
      const expected = Math.sqrt(RADIUS ** 2 - r ** 2);
      expect(Math.abs(heightAt(heights, disk, 100.5 + r, 100.5) - expected)).toBeLessThan(0.05 * RADIUS);
    }
  });

  it('fattens thin parts compared with Puffball', () => {
    const strip = fieldOf((x, y) => x > 20 && x < 180 && Math.abs(y - 100.5) < 10);
    const poisson = heightAt(computePoissonHeight(strip), strip, 100.5, 100.5);
    const puffball = heightAt(computePuffballHeight(strip), strip, 100.5, 100.5);
    // A strip of width w: Poisson gives w/√2, Puffball w/2.
    expect(poisson / puffball).toBeGreaterThan(1.25);
  });
});
