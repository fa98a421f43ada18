import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** A photo-like test image: a coloured disc on a white background. */
export function makePhoto(opts: { width?: number; height?: number; format?: 'png' | 'jpeg'; colour?: string } = {}): Promise<Buffer> {
  const width = opts.width ?? 128;
  const height = opts.height ?? 128;
  const r = Math.min(width, height) * 0.35;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#ffffff"/>
    <circle cx="${width / 2}" cy="${height / 2}" r="${r}" fill="${opts.colour ?? '#d04a2a'}"/>
  </svg>`;
  const image = sharp(Buffer.from(svg));
  return opts.format === 'jpeg' ? image.jpeg({ quality: 90 }).toBuffer() : image.png().toBuffer();
}

/** A tiny PNG whose header claims a huge size: a decompression bomb that must be refused unread. */
export function makePngHeaderClaiming(width: number, height: number): Buffer {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // RGB
  const firstRows = deflateSync(Buffer.alloc(3 * width + 1));
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', firstRows), pngChunk('IEND', Buffer.alloc(0))]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
