import { extname } from 'node:path';

/** Room for ` (99)` and an extension within a file system's 255-byte name limit. */
const MAX_STEM_BYTES = 200;

/** The longest prefix of whole code points within `maxBytes` of UTF-8 (never half a letter). */
function cutToBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char, 'utf8');
    if (bytes > maxBytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * A name that is safe as a ZIP entry and a download name: letters, digits, `._ -` only, no leading
 * dots, no path separators, at most 200 bytes of UTF-8; falls back when nothing usable is left.
 */
export function safeStem(filename: string, fallback: string): string {
  const stem = filename.slice(0, filename.length - extname(filename).length);
  const cleaned = stem
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._ -]+/gu, '_')
    .replace(/^[.\s_-]+/, '')
    .trim();
  const bounded = cutToBytes(cleaned, MAX_STEM_BYTES);
  return bounded.length > 0 ? bounded : fallback;
}

/** A file system's limit for one name; longer upload names are cut before they are stored. */
const MAX_STORED_NAME_BYTES = 255;

/**
 * An upload's name as stored: at most 255 bytes of UTF-8, cut at whole code points, keeping its
 * extension. A client may send 16 KB names (busboy's limit for a part's headers); each is stored
 * with its job and echoed in every status answer, so unbounded they would bloat both.
 */
export function storedUploadName(filename: string): string {
  if (Buffer.byteLength(filename, 'utf8') <= MAX_STORED_NAME_BYTES) return filename;
  const extension = extname(filename);
  const keep = Buffer.byteLength(extension, 'utf8') <= 20 ? extension : '';
  const stem = filename.slice(0, filename.length - keep.length);
  return cutToBytes(stem, MAX_STORED_NAME_BYTES - Buffer.byteLength(keep, 'utf8')) + keep;
}

/** `name.glb`, then `name (2).glb`, `name (3).glb`… case-insensitively unique. */
export function createNameDeduper(): (name: string, extension: string) => string {
  const used = new Set<string>();
  return (name, extension) => {
    let candidate = `${name}${extension}`;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${name} (${n})${extension}`;
    used.add(candidate.toLowerCase());
    return candidate;
  };
}

/** Longest download name we announce (file systems stop at 255 bytes; a client may send 1,000 chars). */
const MAX_DOWNLOAD_NAME_CHARS = 150;

/** Cuts an overlong name at a code point boundary, keeping its extension. */
function boundedName(filename: string): string {
  const chars = [...filename];
  if (chars.length <= MAX_DOWNLOAD_NAME_CHARS) return filename;
  const extension = extname(filename);
  const keep = extension.length < 20 ? extension : '';
  return chars.slice(0, MAX_DOWNLOAD_NAME_CHARS - [...keep].length).join('') + keep;
}

/**
 * RFC 6266: the name (cut to MAX_DOWNLOAD_NAME_CHARS) as a quoted ASCII `filename`, plus the UTF-8
 * `filename*` when the ASCII form had to change it; no quote, CR or LF can get through. A plain
 * name needs no `filename*`, and leaving it out keeps `'` and `*` out of presigned URLs, which some
 * S3-compatible servers canonicalise differently from AWS.
 */
export function contentDisposition(name: string): string {
  const filename = boundedName(name);
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return ascii === filename ? `attachment; filename="${ascii}"` : `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
