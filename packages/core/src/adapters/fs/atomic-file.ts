import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Suffix of the temp files this module writes; anything ending in it is a leftover of a crash. */
export const TEMP_SUFFIX = '.tmp';

/** A sibling temp path: same directory, so the final rename is atomic (same file system). */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

/**
 * Writes `data` to `target` so that a crash at any moment leaves either the old or the new content:
 * write a sibling temp file, fsync it, then rename it over the target.
 */
export async function writeFileAtomic(target: string, data: string | Buffer): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** True for a file-system "does not exist" error. */
export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/**
 * A single path segment that is safe to join under a directory (an id such as `batch_…`): no
 * separators, no NUL, not `.` or `..`, not empty.
 */
export function isSafeSegment(segment: string): boolean {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/.test(segment);
}
