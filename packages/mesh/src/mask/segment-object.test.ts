import { describe, expect, it } from 'vitest';

import { decodePhoto } from '../image/decode-photo.js';
import { bottleWithAlpha, busyBackground, mugWithShadow, starOnWhite, whiteLabelOnWhite } from '@image2model/testing/synthetic-photos';
import { findRunComponents } from './run-components.js';
import { backgroundPhoto } from '../test-support/composite-photos.js';
import { MIN_CONFIDENCE } from './segmentation-confidence.js';
import { segmentObject, type Segmentation } from './segment-object.js';

async function segment(photo: Promise<Buffer>): Promise<Segmentation & { width: number; height: number; at(x: number, y: number): number }> {
  const { image } = await decodePhoto(await photo);
  const segmentation = await segmentObject(image);
  return { ...segmentation, width: image.width, height: image.height, at: (x, y) => segmentation.mask[y * image.width + x]! };
}

/** Background regions that do not touch the image border: the object's holes. */
function countHoles(mask: Uint8Array, width: number, height: number): number {
  const { boxes, count } = findRunComponents(mask, { width, height }, { value: 0, connectivity: 4 });
  let holes = 0;
  for (let c = 0; c < count; c++) {
    if (boxes[c * 4] !== 0 && boxes[c * 4 + 1] !== 0 && boxes[c * 4 + 2] !== width - 1 && boxes[c * 4 + 3] !== height - 1) holes++;
  }
  return holes;
}

describe('segmentObject', () => {
  it('finds the mug, punches its handle hole and leaves out its shadow', async () => {
    const mug = await segment(mugWithShadow(512));
    expect(mug.fallback).toBe('none');
    expect(countHoles(mug.mask, mug.width, mug.height)).toBe(1);
    expect(mug.at(352, 265)).toBe(0); // the middle of the handle's hole
    expect(mug.at(230, 300)).toBe(1); // the body
    expect(mug.at(230, 436)).toBe(0); // the shadow under it
    expect(mug.at(100, 431)).toBe(0); // the shadow's soft end
  });

  it('keeps lettering in the background colour: the white "3D" on the star and the counters of a "B"', async () => {
    const star = await segment(starOnWhite(512));
    expect(countHoles(star.mask, star.width, star.height)).toBe(0);
    const label = await segment(whiteLabelOnWhite(512));
    expect(countHoles(label.mask, label.width, label.height)).toBe(0);
  });

  // At 1024 px the anti-aliasing along the rounded corners offers the flood a path of small steps
  // into the grey outline; refusing shadow pixels on an edge is what stops it.
  it.each([512, 1024])('keeps a white label on white whole at %i px, stopping at its outline and shadow', async (size) => {
    const label = await segment(whiteLabelOnWhite(size));
    const s = size / 512;
    expect(label.at(Math.round(250 * s), Math.round(320 * s))).toBe(1); // blank label inside
    expect(label.at(Math.round(50 * s), Math.round(50 * s))).toBe(0);
    expect(label.at(Math.round(250 * s), Math.round(378 * s))).toBe(0); // the drop shadow below
    expect(label.coverage).toBeGreaterThan((300 * 230 * 0.95) / 512 ** 2);
    expect(label.coverage).toBeLessThan((310 * 240) / 512 ** 2);
  });

  it('uses the alpha channel when the photo has one', async () => {
    const bottle = await segment(bottleWithAlpha(512));
    expect(bottle.at(256, 60)).toBe(1); // the cap
    expect(bottle.at(256, 340)).toBe(1); // the white label
    expect(bottle.at(100, 300)).toBe(0);
  });

  it('separates the disk from a busy striped, noisy background with GrabCut', async () => {
    const busy = await segment(busyBackground(256));
    expect(busy).toMatchObject({ fallback: 'none', method: 'grabcut', warnings: [] });
    expect(busy.confidence).toBeGreaterThanOrEqual(MIN_CONFIDENCE);
    expect(busy.coverage).toBeCloseTo((Math.PI * 45 ** 2) / 256 ** 2, 2);
    expect(busy.at(128, 128)).toBe(1);
    expect(busy.at(128, 60)).toBe(0); // just above the disk
  });

  it('makes a card, saying the background was not separated, when a busy photo has no object', async () => {
    const gravel = await segment(backgroundPhoto('gravel'));
    expect(gravel).toMatchObject({ fallback: 'card', coverage: 1, warnings: [{ code: 'BACKGROUND_NOT_SEPARATED' }] });
    expect(gravel.mask.every((value) => value === 1)).toBe(true);
  });

  it('makes a card, saying its confidence is low, when GrabCut finds a region it cannot vouch for', async () => {
    // A flag's stripe running into the frame: GrabCut keeps it, but it meets the border.
    const flag = await segment(backgroundPhoto('flag-astronaut'));
    expect(flag).toMatchObject({ fallback: 'card', coverage: 1, warnings: [{ code: 'LOW_SEGMENTATION_CONFIDENCE' }] });
    expect(flag.confidence).toBeLessThan(MIN_CONFIDENCE);
    expect(flag.warnings[0]!.message).toContain('made a flat card of the whole photo');
  });

  it('gives the same mask every time (GrabCut reseeds its k-means)', async () => {
    const first = await segment(busyBackground(256));
    const second = await segment(busyBackground(256));
    expect(Buffer.from(second.mask).equals(Buffer.from(first.mask))).toBe(true);
  });
});
