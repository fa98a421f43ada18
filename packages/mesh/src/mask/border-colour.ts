import type { RgbaImage } from '../image/rgba-image.js';

export interface BorderColour {
  /** Per-channel median of the border pixels: the background colour. */
  rgb: [number, number, number];
  /** Largest per-channel difference from `rgb` that still counts as background. */
  tolerance: number;
  /** Share of border pixels within `tolerance`: low means a busy or non-uniform background. */
  matchFraction: number;
  /** The border's median distance from `rgb`: about 0 for a plain backdrop, larger for any texture (half the border may be object). */
  spread: number;
}

const MIN_TOLERANCE = 12;
const MAX_TOLERANCE = 40;

/**
 * Estimates the background from the image border. Medians and percentiles (not means) keep an
 * object that touches the border from skewing the estimate.
 */
export function analyseBorderColour(image: RgbaImage): BorderColour {
  const border = borderPixelOffsets(image.width, image.height);
  const rgb: [number, number, number] = [0, 1, 2].map((channel) => channelMedian(image.data, border, channel)) as [number, number, number];
  const distances = new Uint32Array(256);
  for (let i = 0; i < border.length; i++) distances[chebyshev(image.data, border[i]!, rgb)]!++;
  const tolerance = Math.min(MAX_TOLERANCE, Math.max(MIN_TOLERANCE, 10 + 2.5 * histogramPercentile(distances, border.length, 0.75)));
  let matching = 0;
  for (let d = 0; d <= tolerance; d++) matching += distances[d]!;
  return { rgb, tolerance, matchFraction: matching / border.length, spread: histogramPercentile(distances, border.length, 0.5) };
}

/** Byte offsets of the RGBA pixels on the image's outer ring, each pixel once. */
function borderPixelOffsets(width: number, height: number): Uint32Array {
  const offsets: number[] = [];
  for (let x = 0; x < width; x++) offsets.push(x);
  if (height > 1) for (let x = 0; x < width; x++) offsets.push((height - 1) * width + x);
  for (let y = 1; y < height - 1; y++) {
    offsets.push(y * width);
    if (width > 1) offsets.push(y * width + width - 1);
  }
  return Uint32Array.from(offsets, (pixel) => pixel * 4);
}

function channelMedian(data: Uint8Array, offsets: Uint32Array, channel: number): number {
  const histogram = new Uint32Array(256);
  for (let i = 0; i < offsets.length; i++) histogram[data[offsets[i]! + channel]!]!++;
  return histogramPercentile(histogram, offsets.length, 0.5);
}

function histogramPercentile(histogram: Uint32Array, total: number, fraction: number): number {
  const rank = Math.ceil(total * fraction);
  let seen = 0;
  for (let value = 0; value < histogram.length; value++) {
    seen += histogram[value]!;
    if (seen >= rank) return value;
  }
  return histogram.length - 1;
}

function chebyshev(data: Uint8Array, offset: number, rgb: readonly [number, number, number]): number {
  return Math.max(Math.abs(data[offset]! - rgb[0]), Math.abs(data[offset + 1]! - rgb[1]), Math.abs(data[offset + 2]! - rgb[2]));
}
