import { describe, expect, it } from 'vitest';

import { seededRandom } from '@image2model/testing/seeded-random';
import { findMaskBounds } from '../mask/mask-bounds.js';
import { detectRevolvedBody } from './revolved-body.js';

const SIZE = 200;

/** A mask with, per row y, the pixels whose centres satisfy `inside(x + 0.5, y + 0.5)`. */
function maskOf(inside: (x: number, y: number) => boolean): { mask: Uint8Array; detect: () => ReturnType<typeof detectRevolvedBody> } {
  const mask = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) mask[y * SIZE + x] = inside(x + 0.5, y + 0.5) ? 1 : 0;
  return { mask, detect: () => detectRevolvedBody(mask, SIZE, findMaskBounds(mask, SIZE, SIZE)) };
}

/** A can 80 px wide from row 30 to 170, about x = 100. */
const can = (x: number, y: number): boolean => y > 30 && y < 170 && Math.abs(x - 100) < 40;

describe('detectRevolvedBody', () => {
  it('finds a can: every row a circle of its half-width about the axis', () => {
    const body = maskOf(can).detect();
    expect(body).not.toBeNull();
    expect(body!.top).toBe(30);
    expect(body!.radii.length).toBe(140);
    expect(new Set(body!.radii)).toEqual(new Set([40]));
    expect(new Set(body!.centres)).toEqual(new Set([100]));
  });

  it('tolerates a ragged outline: each row revolves about its own midpoint', () => {
    const random = seededRandom(3);
    const jitter = Array.from({ length: SIZE * 2 }, () => Math.floor(random() * 3) - 1);
    const body = maskOf((x, y) => y > 30 && y < 170 && x > 60 + jitter[Math.floor(y) * 2]! && x < 140 + jitter[Math.floor(y) * 2 + 1]!).detect();
    expect(body).not.toBeNull();
    for (const centre of body!.centres) expect(Math.abs(centre - 100)).toBeLessThanOrEqual(1);
  });

  it('follows a slightly tilted axis, but refuses a bent one', () => {
    const leaning = (lean: number) => (x: number, y: number): boolean => y > 30 && y < 170 && Math.abs(x - 100 - (lean * (y - 100)) / 70) < 40;
    const tilted = maskOf(leaning(4)).detect();
    expect(tilted).not.toBeNull();
    // The middle rows' centres track the lean (the ends' windows are cut short, so they lag a little).
    for (const row of [40, 70, 100]) expect(Math.abs(tilted!.centres[row]! - (100 + (4 * (30 + row - 100)) / 70))).toBeLessThanOrEqual(1);
    expect(maskOf(leaning(20)).detect()).toBeNull();
  });

  it('keeps a handle on one side out of the body, whose rows stay the can\'s circles', () => {
    const handle = (x: number, y: number): boolean => Math.abs(Math.hypot(x - 140, y - 100) - 28) < 6 && x > 140;
    const body = maskOf((x, y) => can(x, y) || handle(x, y)).detect();
    expect(body).not.toBeNull();
    expect(new Set(body!.radii)).toEqual(new Set([40]));
    expect(new Set(body!.centres)).toEqual(new Set([100]));
  });

  it('does not widen the body where a handle merges with its side by a few pixels', () => {
    // 4 px shifts those rows' midpoints by 2 px: within any "symmetric enough" tolerance, yet one-sided.
    const stub = (x: number, y: number): boolean => y > 95 && y < 105 && x >= 140 && x < 144;
    const body = maskOf((x, y) => can(x, y) || stub(x, y)).detect();
    expect(body).not.toBeNull();
    expect(new Set(body!.radii)).toEqual(new Set([40]));
  });

  it('refuses an outline whose one-sided part is more than a fifth of it', () => {
    const slab = (x: number, y: number): boolean => y > 40 && y < 160 && x >= 140 && x < 175;
    // The slab is 35 × 119 px, about 27 % of the whole; reaching 35 px past a 40 px radius is within reach.
    expect(maskOf((x, y) => can(x, y) || slab(x, y)).detect()).toBeNull();
    const shorter = (x: number, y: number): boolean => y > 85 && y < 115 && x >= 140 && x < 175;
    expect(maskOf((x, y) => can(x, y) || shorter(x, y)).detect()).not.toBeNull();
  });

  it('refuses a part reaching past the body by more than half its diameter, like an L\'s foot', () => {
    const foot = (x: number, y: number): boolean => y > 160 && y < 170 && x >= 140 && x < 190;
    expect(maskOf((x, y) => can(x, y) || foot(x, y)).detect()).toBeNull();
  });

  it('refuses sharp notches in the middle but allows a gentle waist', () => {
    const notched = (depth: number) => (x: number, y: number): boolean => can(x, y) && !(Math.abs(y - 100) < 10 && Math.abs(x - 100) > 40 - depth);
    expect(maskOf(notched(20)).detect()).toBeNull();
    expect(maskOf(notched(12)).detect()).not.toBeNull();
  });

  it('refuses a squat outline: from the front a label looks like a flat thing as often as a round one', () => {
    expect(maskOf((x, y) => y > 60 && y < 120 && Math.abs(x - 100) < 40).detect()).toBeNull();
  });
});
