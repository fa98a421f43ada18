import { describe, expect, it } from 'vitest';

import { resampleCrop } from './resample-crop.js';

// A 40 × 20 photo: the left half is the object (red, trusted), the right half background (white).
const width = 40, height = 20;
const data = new Uint8Array(width * height * 4);
const trusted = new Uint8Array(width * height);
for (let i = 0; i < width * height; i++) {
  const inside = i % width < 20;
  data.set(inside ? [220, 20, 20, 255] : [255, 255, 255, 255], i * 4);
  trusted[i] = inside ? 1 : 0;
}
const image = { data, width, height };
const rect = { x: 0, y: 0, width, height };

describe('resampleCrop', () => {
  it.each([
    ['enlarging', 64, 32],
    ['shrinking', 16, 8],
  ])('never mixes untrusted colour into a texel when %s', async (_, targetWidth, targetHeight) => {
    const raster = await resampleCrop(image, trusted, rect, { width: targetWidth, height: targetHeight });
    for (let texel = 0; texel < raster.weights.length; texel++) {
      const weight = raster.weights[texel]!;
      const x = texel % targetWidth;
      if (x < targetWidth / 2 - 1) expect(weight).toBeCloseTo(1, 2);
      if (x > targetWidth / 2) expect(weight).toBeLessThan(0.01);
      // Wherever there is any trust, the colour is the object's own red, up to the rounding of
      // premultiplied 8-bit values at low trust and a little lanczos ringing; white would lift green
      // and blue far above 20.
      const [red, green, blue] = raster.rgb.subarray(texel * 3, texel * 3 + 3);
      if (weight > 0.02) expect(Math.max(Math.abs(red! - 220), Math.abs(green! - 20), Math.abs(blue! - 20))).toBeLessThan(weight > 0.25 ? 6 : 15);
    }
  });
});
