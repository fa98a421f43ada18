import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BlobStorage } from '../storage/blob-storage.js';
import { sweepFiles } from '../storage/sweep-files.js';
import { deriveJobState } from '../job-state.js';
import type { JobEvents } from './job-events.js';
import type { CleanupResult } from './job-service.js';
import type { JobStore } from './job-store.js';
import { storageKeys } from './storage-keys.js';

export interface CleanupDeps {
  store: JobStore;
  events: JobEvents;
  storage: BlobStorage;
  logger: Logger;
  now: () => Date;
  uploadTempDir?: string | undefined;
}

/** Upload temp files younger than this are never swept: an upload may still be writing them. */
const TMP_MIN_AGE_MS = 15 * 60 * 1000;

/**
 * Deletes one job and everything it owns, its record last: a crash at any step leaves the record,
 * so the next pass (retention's or /admin/cleanup's) finds the job and deletes the rest, and
 * nothing is left behind without a record naming it.
 */
async function deleteJob(deps: CleanupDeps, jobId: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const folder of storageKeys.contents(jobId)) {
    const freed = await deps.storage.deletePrefix(folder);
    files += freed.files;
    bytes += freed.bytes;
  }
  await deps.events.delete(jobId);
  await deps.store.delete(jobId);
  // Whatever else lives under the job's prefix (an embedded record's folder, files a later feature adds).
  const rest = await deps.storage.deletePrefix(storageKeys.job(jobId));
  return { files: files + rest.files, bytes: bytes + rest.bytes };
}

/**
 * Deletes jobs last updated before the threshold that are not processing (their records, events
 * and stored files), and stray upload temp files. Only storage keys and direct children of
 * `uploadTempDir` are touched, so nothing outside the data directory can be.
 */
export async function cleanupJobs(deps: CleanupDeps, olderThanHours: number): Promise<CleanupResult> {
  if (!Number.isFinite(olderThanHours) || olderThanHours < 0) {
    throw new AppError('VALIDATION_ERROR', 'older_than_hours must be a non-negative number');
  }
  const now = deps.now().getTime();
  const threshold = now - olderThanHours * 3_600_000;
  let files = 0;
  let bytes = 0;
  for (const record of await deps.store.list()) {
    if (Date.parse(record.updated_at) >= threshold) continue;
    const job = await deps.store.get(record.job_id);
    if (!job || deriveJobState(job.files) === 'processing') continue;
    const freed = await deleteJob(deps, record.job_id);
    files += freed.files;
    bytes += freed.bytes;
    deps.logger.info({ job_id: record.job_id, files: freed.files, bytes: freed.bytes }, 'Cleaned up job');
  }
  if (deps.uploadTempDir !== undefined) {
    const swept = await sweepFiles(deps.uploadTempDir, { before: Math.min(threshold, now - TMP_MIN_AGE_MS) });
    files += swept.files;
    bytes += swept.bytes;
  }
  deps.logger.info({ cleaned_files: files, freed_bytes: bytes, older_than_hours: olderThanHours }, 'Cleanup finished');
  return { cleaned_files: files, freed_space_mb: Math.round((bytes / 1_048_576) * 100) / 100 };
}
