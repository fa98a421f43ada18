import { describe, expect, it } from 'vitest';

import { borderContact, compactness, MIN_CONFIDENCE, segmentationConfidence } from './segmentation-confidence.js';

const clean = { separation: 0.99, borderContact: 0, compactness: 0.7, borderColoured: 0.02, seedKept: 0.9 };

describe('segmentationConfidence', () => {
  it('trusts a well separated, compact object clear of the frame', () => {
    expect(segmentationConfidence(clean)).toBeGreaterThan(0.9);
  });

  it.each([
    ['the colour mixtures barely tell object from background', { separation: 0.8 }],
    ['the object runs into the sure-background ring along a fifth of it', { borderContact: 0.2 }],
    ['the mask is ragged, following background texture', { compactness: 0.02 }],
    ['half the object is in the border’s colours', { borderColoured: 0.5 }],
    ['GrabCut kept a tenth of what was seeded as object: a fragment', { seedKept: 0.1 }],
  ])('falls below the threshold when %s', (_, change) => {
    expect(segmentationConfidence({ ...clean, ...change })).toBeLessThan(MIN_CONFIDENCE);
  });
});

describe('borderContact and compactness', () => {
  it('measure contact on the line inside the ring, and 4π·area/perimeter² near 1 for a disk', () => {
    const size = 64;
    const disk = Uint8Array.from({ length: size * size }, (_, i) => (Math.hypot((i % size) - 31.5, Math.floor(i / size) - 31.5) < 20 ? 1 : 0));
    expect(borderContact(disk, size, size, 2)).toBe(0);
    expect(compactness(disk, size, size)).toBeGreaterThan(0.8);
    const full = new Uint8Array(size * size).fill(1);
    expect(borderContact(full, size, size, 2)).toBe(1);
  });
});
