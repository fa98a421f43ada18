import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Suffix of the temp files this module writes; anything ending in it is a leftover of a crash. */
const TEMP_SUFFIX = '.tmp';

/** A sibling temp path: same directory, so the final rename is atomic (same file system). */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

/** True for a name `tempPathFor` makes: what a write a crash interrupted leaves beside its target. */
export function isTempName(name: string): boolean {
  return /^\..+\.[0-9a-f]+\.tmp$/.test(name);
}

/**
 * Makes the entries of `dir` (a rename into it, a file created in it) durable: without it a crash
 * can lose a file whose own bytes were synced.
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` to a new file at `file` (its directory made when missing) and fsyncs it. */
export async function writeSynced(file: string, data: string | Buffer): Promise<void> {
  const handle = await openCreatingDir(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The first half of replacing `target` so that a crash at any moment leaves either the old or the
 * new content: `data` written to a sibling temp file and fsynced. `commit` renames it over the
 * target; `discard` removes it.
 */
export async function prepareFileAtomic(target: string, data: string | Buffer): Promise<{ commit(): Promise<void>; discard(): Promise<void> }> {
  const temp = tempPathFor(target);
  const discard = (): Promise<void> => rm(temp, { force: true });
  try {
    await writeSynced(temp, data);
  } catch (error) {
    await discard();
    throw error;
  }
  return {
    async commit() {
      try {
        await rename(temp, target);
      } catch (error) {
        await discard();
        throw error;
      }
    },
    discard,
  };
}

/**
 * Runs `work`, which fails with ENOENT when `dir` is missing; only then makes `dir` (and its
 * parents) and runs it once more. The directory nearly always exists already, and a `mkdir -p`
 * before every write would cost a file-system round trip each time.
 */
export async function inDirectory<T>(dir: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await mkdir(dir, { recursive: true });
  return work();
}

/** Opens `file` (mode 0600), making its directory first if it does not exist yet. */
export function openCreatingDir(file: string, flags: 'w' | 'a'): Promise<FileHandle> {
  return inDirectory(path.dirname(file), () => open(file, flags, 0o600));
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
