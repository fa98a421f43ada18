import { open } from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { AppError, type ImageFormat } from '@image2model/core';

const ALLOWED_FORMATS = ['jpg', 'jpeg', 'png'] as const;

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function notAnImage(filename: string, why: string): AppError {
  return new AppError('VALIDATION_ERROR', `Invalid file format: ${filename} ${why}; send JPEG or PNG images`, {
    details: { file: filename, allowed_formats: [...ALLOWED_FORMATS] },
  });
}

/**
 * Decides by content, never by name or the client's content type: the magic bytes must say JPEG
 * or PNG and the header must decode, within the pixel limit (which stops decompression bombs
 * before any pixel is decoded).
 */
export async function checkImage(path: string, filename: string, maxPixels: number): Promise<ImageFormat> {
  const head = await readHead(path, 4100);
  if (head.length === 0) throw notAnImage(filename, 'is empty');
  const type = await fileTypeFromBuffer(head);
  if (type?.ext !== 'jpg' && type?.ext !== 'png') throw notAnImage(filename, 'is not a JPEG or PNG image');
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(path, { limitInputPixels: false }).metadata());
  } catch {
    throw notAnImage(filename, 'is corrupt (its header does not decode)');
  }
  if (!width || !height) throw notAnImage(filename, 'is corrupt (no image size)');
  if (width * height > maxPixels) {
    throw new AppError('VALIDATION_ERROR', `Image too large: ${filename} is ${width}×${height} pixels, over the limit of ${maxPixels} pixels`, {
      details: { file: filename, width, height, max_pixels: maxPixels },
    });
  }
  return type.ext;
}
