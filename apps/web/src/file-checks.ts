import { maxFileBytes, type UploadLimits } from './limits.js';

export type ImageKind = 'jpg' | 'png';

/** JPEG and PNG by their magic bytes, as the server decides (never by name or declared type). */
export function detectKind(head: Uint8Array): ImageKind | null {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.every((byte, i) => head[i] === byte)) return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpg';
  return null;
}

/** Width and height from the header (PNG's IHDR, JPEG's first SOF marker), or null when unsure. */
export function readDimensions(head: Uint8Array, kind: ImageKind): { width: number; height: number } | null {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (kind === 'png') {
    if (head.length < 24 || String.fromCharCode(...head.subarray(12, 16)) !== 'IHDR') return null;
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  let offset = 2;
  while (offset + 9 < head.length) {
    if (head[offset] !== 0xff) return null;
    const marker = head[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
    offset += 2 + view.getUint16(offset + 2);
  }
  return null;
}

/** How much of a file the checks read: enough for a JPEG's metadata before its frame header. */
const HEAD_BYTES = 256 * 1024;

/**
 * Why the server would refuse this file, in the server's own words, or null when it would take
 * it. `index` is the file's position in the batch (the server counts files in order).
 */
export async function checkFile(file: File, index: number, limits: UploadLimits): Promise<string | null> {
  const name = file.name;
  if (index >= limits.maxFiles) return `Too many files: at most ${limits.maxFiles} per batch`;
  if (file.size > maxFileBytes(limits)) return `File too large: ${name} exceeds ${limits.maxFileSizeMb} MB`;
  if (file.size === 0) return `Invalid file format: ${name} is empty; send JPEG or PNG images`;
  const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  const kind = detectKind(head);
  if (!kind) return `Invalid file format: ${name} is not a JPEG or PNG image; send JPEG or PNG images`;
  const size = readDimensions(head, kind);
  if (size && size.width * size.height > limits.maxImagePixels) {
    return `Image too large: ${name} is ${size.width}×${size.height} pixels, over the limit of ${limits.maxImagePixels} pixels`;
  }
  // Anything subtler (a header that does not decode) is left to the server, which says why.
  return null;
}

/** `1.4 MB`, `820 KB`: what the list shows next to each photo. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
