import { randomBytes } from 'node:crypto';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Upload bodies stream to `DATA_DIR/tmp/uploads/upload-<process>-<random>` until the job takes
 * them. Each process tags its own, so it can remove what it leaves when it stops (an upload cut by
 * SIGTERM never reaches its own cleanup) without touching another API process's files.
 */
const PROCESS_TAG = randomBytes(4).toString('hex');
const PREFIX = 'upload-';

export function uploadTempDir(dataDir: string): string {
  return join(dataDir, 'tmp', 'uploads');
}

export function newUploadTempName(): string {
  return `${PREFIX}${PROCESS_TAG}-${randomBytes(12).toString('hex')}`;
}

/** This process's temp files: after the server has closed every connection, none is in use. */
export function removeOwnUploadTemps(dir: string): Promise<number> {
  return removeWhere(dir, (name) => name.startsWith(`${PREFIX}${PROCESS_TAG}-`), 0);
}

/**
 * Temp files older than `minAgeMs` (every one for 0): at start, what a killed process left. Only
 * regular files named like ours, directly in `dir`, are touched.
 */
export function sweepUploadTemps(dir: string, minAgeMs: number): Promise<number> {
  return removeWhere(dir, (name) => name.startsWith(PREFIX), minAgeMs);
}

async function removeWhere(dir: string, matches: (name: string) => boolean, minAgeMs: number): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  const before = Date.now() - minAgeMs;
  let removed = 0;
  for (const name of names.filter(matches)) {
    const path = join(dir, name);
    const stats = await lstat(path).catch(() => null);
    if (!stats?.isFile() || (minAgeMs > 0 && stats.mtimeMs > before)) continue;
    await rm(path, { force: true });
    removed += 1;
  }
  return removed;
}
