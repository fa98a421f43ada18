import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sweepFiles } from '@image2model/core';

/**
 * Upload bodies stream to `DATA_DIR/tmp/uploads/upload-<process>-<random>` until the job takes
 * them. Each process tags its own, so it can remove what it leaves when it stops (an upload cut by
 * SIGTERM never reaches its own cleanup) without touching another API process's files.
 */
const PROCESS_TAG = randomBytes(4).toString('hex');
const PREFIX = 'upload-';

export function uploadTempDirOf(dataDir: string): string {
  return join(dataDir, 'tmp', 'uploads');
}

export function newUploadTempName(): string {
  return `${PREFIX}${PROCESS_TAG}-${randomBytes(12).toString('hex')}`;
}

/** This process's temp files: after the server has closed every connection, none is in use. */
export async function removeOwnUploadTemps(dir: string): Promise<number> {
  const own = `${PREFIX}${PROCESS_TAG}-`;
  return (await sweepFiles(dir, { before: Number.POSITIVE_INFINITY, matches: (name) => name.startsWith(own) })).files;
}

/**
 * Temp files older than `minAgeMs` (every one for 0): at start, what a killed process left. Only
 * regular files named like ours, directly in `dir`, are touched.
 */
export async function sweepUploadTemps(dir: string, minAgeMs: number): Promise<number> {
  const before = minAgeMs > 0 ? Date.now() - minAgeMs : Number.POSITIVE_INFINITY;
  return (await sweepFiles(dir, { before, matches: (name) => name.startsWith(PREFIX) })).files;
}
