import sharp from 'sharp';

import { MAX_IMAGE_PIXELS } from '../limits.js';
import { InvalidImageError } from './invalid-image-error.js';
import type { RgbaImage } from './rgba-image.js';

/** The working raster's long side: enough detail for the mask and texture, cheap enough for ~1 M pixel loops. */
export const WORKING_MAX_EDGE = 1024;
/** Tiny inputs are enlarged to this long side so every later stage has pixels to work with. */
const WORKING_MIN_EDGE = 256;

export interface DecodedPhoto {
  image: RgbaImage;
  /** The input's size once upright (EXIF orientation applied), before any resizing. */
  sourceWidth: number;
  sourceHeight: number;
}

/**
 * Decodes a JPEG/PNG/… into an upright sRGB RGBA raster of working size. JPEGs shrink on load, so
 * a 40 MP photo costs tens of milliseconds, not seconds.
 */
export async function decodePhoto(input: Buffer): Promise<DecodedPhoto> {
  const options = { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' } as const;
  // The header alone, unlimited, so an oversized image gets our message rather than libvips'.
  const metadata = await sharp(input, { ...options, limitInputPixels: false })
    .metadata()
    .catch((error: unknown) => {
      throw new InvalidImageError(`Could not read the image: ${describe(error)}`, { cause: error });
    });
  const { width, height } = metadata.autoOrient;
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new InvalidImageError(`The image has ${width}×${height} pixels; the limit is ${MAX_IMAGE_PIXELS.toLocaleString('en')}`);
  }
  const target = workingSize(width, height);
  let pipeline = sharp(input, options).rotate();
  if (target.width !== width || target.height !== height) {
    pipeline = pipeline.resize(target.width, target.height, { fit: 'fill', kernel: target.width > width ? 'cubic' : 'lanczos3' });
  }
  const { data, info } = await pipeline
    .toColourspace('srgb')
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
    .catch((error: unknown) => {
      throw damagedPhoto(metadata.format, error);
    });
  if (info.channels !== 4) throw new Error(`Expected 4 channels after decoding, got ${info.channels}`);
  const image = { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  return { image, sourceWidth: width, sourceHeight: height };
}

function workingSize(width: number, height: number): { width: number; height: number } {
  const longSide = Math.max(width, height);
  const scale = longSide > WORKING_MAX_EDGE ? WORKING_MAX_EDGE / longSide : longSide < WORKING_MIN_EDGE ? WORKING_MIN_EDGE / longSide : 1;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * The header read but the pixels do not: a photo cut off in transfer (libvips names a JPEG's
 * missing end; for PNG it only says "read error"), or damaged bytes. What the person can do about
 * it is the same either way, so the message says that in plain words; libvips' text stays the cause.
 */
function damagedPhoto(format: string | undefined, error: unknown): InvalidImageError {
  const kind = (format ?? 'image').toUpperCase();
  const why = /premature end|truncated/i.test(describe(error)) ? `damaged (truncated ${kind})` : `damaged or incomplete (its ${kind} data does not decode)`;
  return new InvalidImageError(`The photo is ${why}: upload a complete copy`, { cause: error });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
