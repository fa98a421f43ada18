import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sweepFiles, sweepLeftovers, type Logger } from '@image2model/core';

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

/** The longest a request (an upload on a slow line) may take, so also the oldest a live temp file can be. */
export const UPLOAD_TEMP_MAX_AGE_MS = 10 * 60_000;

/** Which process prepares the directory: only embedded mode owns DATA_DIR alone; workers take no uploads. */
export type DataDirRole = 'embedded' | 'api' | 'worker';

export interface PreparedDataDir {
  dataDir: string;
  uploadTempDir: string;
  /** Files a stopped process left: upload bodies, and temp or probe files of interrupted writes. */
  swept: { uploadTemps: number; leftovers: number };
}

/**
 * Creates DATA_DIR and removes what a killed process left there. A process sharing DATA_DIR with
 * others (distributed mode) removes only files older than any upload or write may take.
 */
export async function prepareDataDir(dataDirSetting: string, role: DataDirRole): Promise<PreparedDataDir> {
  const dataDir = resolve(dataDirSetting);
  const uploadTempDir = uploadTempDirOf(dataDir);
  const shared = role !== 'embedded';
  let uploadTemps = 0;
  if (role === 'worker') {
    await mkdir(dataDir, { recursive: true });
  } else {
    await mkdir(uploadTempDir, { recursive: true });
    uploadTemps = await sweepUploadTemps(uploadTempDir, shared ? UPLOAD_TEMP_MAX_AGE_MS : 0);
  }
  const { files: leftovers } = await sweepLeftovers(dataDir, shared ? Date.now() - UPLOAD_TEMP_MAX_AGE_MS : Number.POSITIVE_INFINITY);
  return { dataDir, uploadTempDir, swept: { uploadTemps, leftovers } };
}

/** Says what `prepareDataDir` removed, once the process has its logger. */
export function logSweptFiles(logger: Logger, { uploadTemps, leftovers }: PreparedDataDir['swept']): void {
  if (uploadTemps > 0) logger.info({ files: uploadTemps }, `Removed ${uploadTemps} upload temp file(s) left by a stopped process`);
  if (leftovers > 0) logger.info({ files: leftovers }, `Removed ${leftovers} temp or probe file(s) left in the data directory by a stopped process`);
}
