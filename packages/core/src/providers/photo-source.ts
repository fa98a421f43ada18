import { openAsBlob } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * The photo a provider works from: the file it is stored in (what the job service hands over, so
 * no whole upload of up to MAX_FILE_SIZE_MB waits in memory per running file: it is read only
 * where and when it is needed), or its bytes.
 */
export type PhotoSource = Buffer | { path: string };

/** The photo's first `length` bytes (or fewer), enough to recognise its format. */
export async function photoHead(source: PhotoSource, length = 16): Promise<Buffer> {
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
export async function photoBlob(source: PhotoSource, type: string): Promise<Blob> {
  return Buffer.isBuffer(source) ? new Blob([source], { type }) : openAsBlob(source.path, { type });
}
