import sharp from 'sharp';

export interface ImageDifference {
  /** Mean absolute difference per channel, 0–255. */
  meanAbsoluteDifference: number;
  /** Share (0–1) of pixels where some channel differs by more than `threshold`. */
  differingPixelShare: number;
}

/**
 * Compares two encoded images pixel by pixel (RGB). Used by the golden test with a small tolerance,
 * so a libpng or zlib upgrade that changes bytes but not pixels does not fail it.
 */
export async function compareImages(options: { actual: Buffer; expected: Buffer; threshold: number }): Promise<ImageDifference> {
  const [actual, expected] = await Promise.all([decodeRgb(options.actual), decodeRgb(options.expected)]);
  if (actual.width !== expected.width || actual.height !== expected.height) {
    throw new Error(`size ${actual.width}×${actual.height} differs from the expected ${expected.width}×${expected.height}`);
  }
  let sum = 0, differing = 0;
  const pixelCount = actual.width * actual.height;
  for (let p = 0; p < pixelCount; p++) {
    let largest = 0;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(actual.data[p * 3 + c]! - expected.data[p * 3 + c]!);
      sum += d;
      if (d > largest) largest = d;
    }
    if (largest > options.threshold) differing++;
  }
  return { meanAbsoluteDifference: sum / (pixelCount * 3), differingPixelShare: differing / pixelCount };
}

async function decodeRgb(image: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
