import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BlobStorage } from '../storage/blob-storage.js';
import { sweepFiles } from '../storage/sweep-files.js';
import { deriveJobState } from '../job-state.js';
import type { JobEvents } from './job-events.js';
import type { CleanupOptions, CleanupResult } from './job-service.js';
import type { WebhookOutbox } from '../webhooks/webhook-outbox.js';
import type { FinishedJobPosition, JobStore } from './job-store.js';
import { storageKeys } from './storage-keys.js';

export interface CleanupDeps {
  store: JobStore;
  events: JobEvents;
  storage: BlobStorage;
  logger: Logger;
  now: () => Date;
  uploadTempDir?: string | undefined;
  webhookOutbox?: WebhookOutbox | undefined;
}

/** Upload temp files younger than this are never swept: an upload may still be writing them. */
const TMP_MIN_AGE_MS = 15 * 60 * 1000;

/** Expired jobs read from the index at a time. */
const BATCH = 200;

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
  const deliveries = (await deps.webhookOutbox?.deleteForJob(jobId)) ?? 0;
  if (deliveries > 0) deps.logger.info({ job_id: jobId, deliveries }, "Deleted the job's webhook deliveries");
  await deps.store.delete(jobId);
  // Whatever else lives under the job's prefix (an embedded record's folder, files a later feature adds).
  const rest = await deps.storage.deletePrefix(storageKeys.job(jobId));
  return { files: files + rest.files, bytes: bytes + rest.bytes };
}

/**
 * Deletes jobs last updated before the threshold that are not processing (their records and index
 * entries, events, webhook deliveries and stored files), and stray upload temp files. The one
 * deletion path of /admin/cleanup and the retention sweep (which passes `keepPendingWebhooks`).
 * Only storage keys and direct children of `uploadTempDir` are touched, so nothing outside the
 * data directory can be.
 */
export async function cleanupJobs(deps: CleanupDeps, olderThanHours: number, opts: CleanupOptions = {}): Promise<CleanupResult> {
  if (!Number.isFinite(olderThanHours) || olderThanHours < 0) {
    throw new AppError('VALIDATION_ERROR', 'older_than_hours must be a non-negative number');
  }
  const now = deps.now().getTime();
  const threshold = now - olderThanHours * 3_600_000;
  let files = 0;
  let bytes = 0;
  // The store's index of finished jobs by last update: only expired jobs are read, never every job.
  const updated_before = new Date(threshold).toISOString();
  let after: FinishedJobPosition | undefined;
  for (;;) {
    const batch = await deps.store.listFinished({ updated_before, limit: BATCH, ...(after ? { after } : {}) });
    for (const { job_id } of batch) {
      const job = await deps.store.get(job_id);
      if (!job || deriveJobState(job.files) === 'processing' || Date.parse(job.job.updated_at) >= threshold) continue;
      if (opts.keepPendingWebhooks && deps.webhookOutbox && (await deps.webhookOutbox.pendingCount(job_id)) > 0) {
        deps.logger.info({ job_id }, 'Kept a job past its retention: it still has webhooks to deliver');
        continue;
      }
      const freed = await deleteJob(deps, job_id);
      files += freed.files;
      bytes += freed.bytes;
      deps.logger.info({ job_id, files: freed.files, bytes: freed.bytes }, 'Cleaned up job');
    }
    after = batch.at(-1);
    if (batch.length < BATCH) break;
  }
  if (deps.uploadTempDir !== undefined) {
    const swept = await sweepFiles(deps.uploadTempDir, { before: Math.min(threshold, now - TMP_MIN_AGE_MS) });
    files += swept.files;
    bytes += swept.bytes;
  }
  deps.logger.info({ cleaned_files: files, freed_bytes: bytes, older_than_hours: olderThanHours }, 'Cleanup finished');
  return { cleaned_files: files, freed_space_mb: Math.round((bytes / 1_048_576) * 100) / 100 };
}
