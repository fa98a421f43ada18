import { describe, expect, it } from 'vitest';

import { bleedColours } from './bleed-colours.js';

describe('bleedColours', () => {
  it('fills untrusted pixels with the nearby trusted colours and leaves trusted ones alone', () => {
    const width = 37, height = 21;
    const rgb = new Float32Array(width * height * 3);
    const weights = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const trusted = x >= 10 && x < 20 && y >= 5 && y < 15;
        // Trusted: red on the left half of the block, green on the right; the rest is "background" white.
        rgb.set(trusted ? (x < 15 ? [255, 0, 0] : [0, 255, 0]) : [255, 255, 255], i * 3);
        weights[i] = trusted ? 1 : 0;
      }
    }
    bleedColours(rgb, weights, width, height);
    const at = (x: number, y: number): number[] => Array.from(rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
    expect(at(12, 8)).toEqual([255, 0, 0]);
    expect(at(17, 8)).toEqual([0, 255, 0]);
    for (let i = 0; i < width * height; i++) expect(rgb[i * 3 + 2]).toBeLessThan(1); // no white anywhere
    expect(at(0, 10)[0]).toBeGreaterThan(at(0, 10)[1]!); // the far left leans red
    expect(at(36, 10)[1]).toBeGreaterThan(at(36, 10)[0]!); // the far right leans green
  });
});
