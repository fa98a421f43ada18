import type { RgbaImage } from '../image/rgba-image.js';

/** The image box-averaged by an integer `factor` (the last row and column average what they cover). */
export function shrinkImage(image: RgbaImage, factor: number): RgbaImage {
  const width = Math.ceil(image.width / factor);
  const height = Math.ceil(image.height / factor);
  const sums = new Uint32Array(width * height * 4);
  const counts = new Uint32Array(width * height);
  for (let y = 0; y < image.height; y++) {
    const row = Math.floor(y / factor) * width;
    for (let x = 0; x < image.width; x++) {
      const target = row + Math.floor(x / factor);
      const source = (y * image.width + x) * 4;
      counts[target]!++;
      for (let channel = 0; channel < 4; channel++) sums[target * 4 + channel]! += image.data[source + channel]!;
    }
  }
  const data = new Uint8Array(sums.length);
  for (let i = 0; i < sums.length; i++) data[i] = Math.round(sums[i]! / counts[i >> 2]!);
  return { data, width, height };
}
