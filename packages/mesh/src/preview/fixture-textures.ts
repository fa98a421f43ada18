import type { PreviewTexture } from './sample-texture.js';

/**
 * Textures made in code for the preview's tests and golden images, so nothing binary but the goldens
 * is committed.
 */

/** Atlas cell order used by `createBox`: one 32 px cell per face, 3 columns × 2 rows. */
export const BOX_FACES = ['+x', '-x', '+y', '-y', '+z', '-z'] as const;
export type BoxFace = (typeof BOX_FACES)[number];
export const ATLAS_CELL = 32;

export type Rgb = [number, number, number];

/**
 * One solid colour per face with a white square in each cell's top-left quarter, so a test can tell
 * a correctly oriented face from a mirrored or upside-down one.
 */
export function createFaceAtlasTexture(colours: Record<BoxFace, Rgb>): PreviewTexture {
  const width = ATLAS_CELL * 3, height = ATLAS_CELL * 2;
  const data = new Uint8Array(width * height * 4);
  BOX_FACES.forEach((face, cell) => {
    const left = (cell % 3) * ATLAS_CELL, top = Math.floor(cell / 3) * ATLAS_CELL;
    for (let y = 0; y < ATLAS_CELL; y++) {
      for (let x = 0; x < ATLAS_CELL; x++) {
        const marker = x >= 4 && x < 12 && y >= 4 && y < 12;
        writePixel(data, (top + y) * width + left + x, marker ? [255, 255, 255] : colours[face]);
      }
    }
  });
  return { data, width, height };
}

/** A checkerboard of `columns` × `rows` squares, darkening towards the bottom (v = 1). */
export function createCheckerTexture(options: { width: number; height: number; columns: number; rows: number; colours: [Rgb, Rgb] }): PreviewTexture {
  const { width, height, columns, rows, colours } = options;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const shade = 1 - (0.35 * y) / (height - 1);
    for (let x = 0; x < width; x++) {
      const odd = (Math.floor((x * columns) / width) + Math.floor((y * rows) / height)) % 2;
      const [r, g, b] = colours[odd]!;
      writePixel(data, y * width + x, [r * shade, g * shade, b * shade]);
    }
  }
  return { data, width, height };
}

/** A horizontal gradient between two colours with thin vertical stripes, for the open tube. */
export function createStripeTexture(options: { width: number; height: number; from: Rgb; to: Rgb }): PreviewTexture {
  const { width, height, from, to } = options;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = x / (width - 1);
      const stripe = x % 16 < 3 ? 0.6 : 1;
      const colour: Rgb = [0, 1, 2].map((c) => (from[c]! + (to[c]! - from[c]!) * t) * stripe) as Rgb;
      writePixel(data, y * width + x, colour);
    }
  }
  return { data, width, height };
}

function writePixel(data: Uint8Array, pixel: number, [r, g, b]: Rgb): void {
  data[pixel * 4] = Math.round(r);
  data[pixel * 4 + 1] = Math.round(g);
  data[pixel * 4 + 2] = Math.round(b);
  data[pixel * 4 + 3] = 255;
}
