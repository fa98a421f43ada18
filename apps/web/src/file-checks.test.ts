import { describe, expect, it } from 'vitest';
import { checkFile, detectKind, readDimensions } from './file-checks.js';
import { DEFAULT_LIMITS, parseLimits } from './limits.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function png(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set(PNG_SIGNATURE, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, 13);
  bytes.set([0x49, 0x48, 0x44, 0x52], 12); // IHDR
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}

function jpeg(width: number, height: number): Uint8Array {
  // SOI, an APP0 segment of 16 bytes, then SOF0 with the frame size.
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...new Array<number>(14).fill(0)];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, ...new Array<number>(9).fill(0)];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof0]);
}

const file = (bytes: Uint8Array, name: string) => new File([bytes.slice().buffer], name);

describe('detectKind and readDimensions', () => {
  it('recognise PNG and JPEG by their magic bytes, whatever the name says', () => {
    expect(detectKind(png(1, 1))).toBe('png');
    expect(detectKind(jpeg(1, 1))).toBe('jpg');
    expect(detectKind(new TextEncoder().encode('GIF89a'))).toBeNull();
  });

  it('read the size from the PNG header and from the JPEG frame header', () => {
    expect(readDimensions(png(640, 480), 'png')).toEqual({ width: 640, height: 480 });
    expect(readDimensions(jpeg(1024, 768), 'jpg')).toEqual({ width: 1024, height: 768 });
  });
});

describe('checkFile', () => {
  it('accepts a JPEG or PNG within the limits', async () => {
    expect(await checkFile(file(png(100, 100), 'a.png'), 0, DEFAULT_LIMITS)).toBeNull();
    expect(await checkFile(file(jpeg(100, 100), 'b.jpg'), 1, DEFAULT_LIMITS)).toBeNull();
  });

  it('gives the server’s reasons for the files it would refuse', async () => {
    const limits = { maxFiles: 2, maxFileSizeMb: 0.001, maxImagePixels: 10_000 };
    expect(await checkFile(file(png(10, 10), 'c.png'), 2, limits)).toBe('Too many files: at most 2 per batch');
    expect(await checkFile(file(new Uint8Array(2000), 'big.png'), 0, limits)).toBe('File too large: big.png exceeds 0.001 MB');
    expect(await checkFile(file(new Uint8Array(0), 'empty.png'), 0, limits)).toBe('Invalid file format: empty.png is empty; send JPEG or PNG images');
    expect(await checkFile(file(new TextEncoder().encode('hello'), 'note.jpg'), 0, limits)).toBe(
      'Invalid file format: note.jpg is not a JPEG or PNG image; send JPEG or PNG images',
    );
    expect(await checkFile(file(png(101, 100), 'wide.png'), 0, limits)).toBe('Image too large: wide.png is 101×100 pixels, over the limit of 10000 pixels');
  });

  it('lets a file of exactly MAX_FILE_SIZE_MB pass, as the server does', async () => {
    const bytes = new Uint8Array(1024 * 1024);
    bytes.set(png(10, 10));
    expect(await checkFile(file(bytes, 'exact.png'), 0, { ...DEFAULT_LIMITS, maxFileSizeMb: 1 })).toBeNull();
  });
});

describe('parseLimits', () => {
  it('reads the limits the server documents in its OpenAPI upload description', () => {
    const description = 'Multipart form: `files` (1–7 JPEG or PNG images, each at most 2.5 MiB and 1,000,000 pixels, recognised by content, not name)';
    expect(parseLimits({ paths: { '/upload/batch': { post: { description } } } })).toEqual({ maxFiles: 7, maxFileSizeMb: 2.5, maxImagePixels: 1_000_000 });
  });

  it('returns null for a document that does not say', () => {
    expect(parseLimits({ paths: {} })).toBeNull();
    expect(parseLimits(null)).toBeNull();
  });
});
