import { openAsBlob } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * A photo on this machine: the file it is stored in (what the job service hands over, so no whole
 * upload of up to MAX_FILE_SIZE_MB waits in memory per running file: it is read only where and
 * when it is needed), or its bytes.
 */
export type LocalPhoto = Buffer | { path: string };

/**
 * The photo a provider works from: on this machine, or (S3_PUBLIC_READS=presigned, for providers
 * that read photos by URL) a presigned URL of the stored object, so no local copy is made.
 */
export type PhotoSource = LocalPhoto | { url: string };

/** The photo as the local generator takes it (bytes or a path); a URL is never handed to it. */
export function localPhoto(source: PhotoSource): Buffer | string {
  if (Buffer.isBuffer(source)) return source;
  if ('path' in source) return source.path;
  throw new Error('This provider reads photos from this machine, not by URL');
}

/** The photo's first `length` bytes (or fewer), enough to recognise its format. */
export async function photoHead(source: LocalPhoto, length = 16): Promise<Buffer> {
  if (Buffer.isBuffer(source)) return source.subarray(0, length);
  const handle = await open(source.path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The photo as a Blob; a stored one is backed by its file and read from disk as it is sent. */
export async function photoBlob(source: LocalPhoto, type: string): Promise<Blob> {
  return Buffer.isBuffer(source) ? new Blob([source], { type }) : openAsBlob(source.path, { type });
}
