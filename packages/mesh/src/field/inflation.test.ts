import { describe, expect, it } from 'vitest';

import { findMaskBounds } from '../mask/mask-bounds.js';
import { computePoissonHeight } from './poisson-height.js';
import { computePuffballHeight } from './puffball-height.js';
import { detectRevolvedBody } from './revolved-body.js';
import { computeRevolvedHeight } from './revolved-height.js';
import { computeSignedDistance, type SignedField } from './signed-distance.js';
import { capThickness } from './slab-cap.js';

const SIZE = 201;

function maskOf(inside: (x: number, y: number) => boolean): Uint8Array {
  const mask = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) mask[y * SIZE + x] = inside(x + 0.5, y + 0.5) ? 1 : 0;
  return mask;
}

function fieldOf(inside: (x: number, y: number) => boolean): SignedField {
  return computeSignedDistance(maskOf(inside), { width: SIZE, height: SIZE }, { bounds: { minX: 0, minY: 0, maxX: SIZE - 1, maxY: SIZE - 1, area: 1 }, margin: 4 });
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

describe('the slab cap on inflated shapes', () => {
  it('flattens a broad shape to a slab of the given half-thickness, rounded over the rim', () => {
    const slab = fieldOf((x, y) => Math.abs(x - 100.5) < 90 && Math.abs(y - 100.5) < 60);
    const heights = capThickness(computePuffballHeight(slab), slab, 120);
    // 0.25 × the short side (120): flat at 30 from 30 px inside the rim, a quarter circle before that.
    for (const x of [60, 100, 140]) expect(heightAt(heights, slab, x + 0.5, 100.5)).toBeCloseTo(30, 3);
    expect(heightAt(heights, slab, 100.5, 100.5 - 60 + 10)).toBeCloseTo(Math.sqrt(10 * 50), 0);
  });

  it('leaves a tube thinner than the slab round', () => {
    const tube = fieldOf((x, y) => Math.abs(x - 100.5) < 90 && Math.abs(y - 100.5) < 12);
    const raw = computePuffballHeight(tube);
    const capped = capThickness(raw.slice(), tube, 120);
    expect(Array.from(capped)).toEqual(Array.from(raw));
  });
});

describe('revolved height', () => {
  const inside = (x: number, y: number): boolean => y > 20 && y < 180 && Math.abs(x - 100) < 30 + 20 * Math.sin((Math.PI * (y - 20)) / 160);
  const mask = maskOf(inside);
  const field = fieldOf(inside);
  const body = detectRevolvedBody(mask, SIZE, findMaskBounds(mask, SIZE, SIZE));

  it('cuts every row of a vase in a circle: x² + h² is the row\'s radius², about its centre', () => {
    expect(body).not.toBeNull();
    const heights = computeRevolvedHeight(field, body!);
    for (const y of [40, 80, 100, 120, 160]) {
      const row = y - body!.top;
      const radius = body!.radii[row]!;
      for (const offset of [0, 0.3, 0.6, 0.9]) {
        const x = body!.centres[row]! + offset * radius;
        const h = heightAt(heights, field, x, y + 0.5);
        const dx = Math.floor(x) + 0.5 - body!.centres[row]!;
        expect(Math.abs(Math.hypot(dx, h) - radius)).toBeLessThan(0.01);
      }
    }
  });

  it('grows a handle as a round tube that reaches into the body rather than pinching at it', () => {
    const handle = (x: number, y: number): boolean => x > 100 && Math.abs(Math.hypot(x - 140, y - 100) - 30) < 6;
    const can = (x: number, y: number): boolean => y > 30 && y < 170 && Math.abs(x - 100) < 40;
    const mug = maskOf((x, y) => can(x, y) || handle(x, y));
    const mugField = fieldOf((x, y) => can(x, y) || handle(x, y));
    const mugBody = detectRevolvedBody(mug, SIZE, findMaskBounds(mug, SIZE, SIZE));
    expect(mugBody).not.toBeNull();
    const heights = computeRevolvedHeight(mugField, mugBody!);
    // The handle's far side (x = 170, a 12 px thick tube): about its 6 px radius, not the body's 40.
    expect(Math.abs(heightAt(heights, mugField, 170.5, 100.5) - 6)).toBeLessThan(1);
    // Where the handle meets the body (x = 140, just outside it, y = 70): still a tube, not a pinch to 0.
    const atJoin = heightAt(heights, mugField, 140.5, 70.5);
    expect(atJoin).toBeGreaterThan(4);
  });
});
