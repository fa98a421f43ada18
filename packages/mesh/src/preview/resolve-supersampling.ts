import { encodeSrgb } from './colour-space.js';

/**
 * Averages each `factor`×`factor` block of linear samples into one sRGB8 pixel: a box filter in
 * linear light, which is what makes supersampled edges look smooth rather than dark-rimmed.
 */
export function resolveSupersampling(options: {
  samples: Float32Array;
  sampleWidth: number;
  factor: number;
}): Uint8Array {
  const { samples, sampleWidth, factor } = options;
  const width = (sampleWidth / factor) | 0;
  const height = (samples.length / 3 / sampleWidth / factor) | 0;
  const pixels = new Uint8Array(width * height * 3);
  const weight = 1 / (factor * factor);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      for (let sy = 0; sy < factor; sy++) {
        let s = ((y * factor + sy) * sampleWidth + x * factor) * 3;
        for (let sx = 0; sx < factor; sx++, s += 3) {
          r += samples[s]!;
          g += samples[s + 1]!;
          b += samples[s + 2]!;
        }
      }
      const o = (y * width + x) * 3;
      pixels[o] = encodeSrgb(r * weight);
      pixels[o + 1] = encodeSrgb(g * weight);
      pixels[o + 2] = encodeSrgb(b * weight);
    }
  }
  return pixels;
}
