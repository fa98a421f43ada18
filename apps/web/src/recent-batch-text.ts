import type { JobListItem } from '@image2model/client';
import type { JobState } from '@image2model/core/job-state';
import { timeUntil } from './relative-time.js';

/** How many batches the list asks for at a time (jobs.list's `limit`); "Load more" asks for as many again. */
export const RECENT_PAGE_SIZE = 20;

const STATUS_TEXT: Record<JobState, string> = {
  processing: 'Running',
  completed: 'Completed',
  partial: 'Partly done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const statusText = (status: JobState): string => STATUS_TEXT[status];

const files = (count: number): string => `${count} file${count === 1 ? '' : 's'}`;

/** "67%: 2 of 3 ready, 1 failed": the batch view's summary, in the list's words. */
export function progressText(job: JobListItem): string {
  const done = `${Math.round(job.progress)}%: ${job.processed_files} of ${job.total_files} ready`;
  return `${done}${job.failed_files ? `, ${job.failed_files} failed` : ''}${job.cancelled_files ? `, ${job.cancelled_files} cancelled` : ''}`;
}

export const sizeText = (job: JobListItem): string => files(job.total_files);

/**
 * When retention deletes a finished batch: "expires in 6 days", "kept until deleted" when the
 * server keeps batches with no expiry; nothing while it runs (its clock starts when it finishes).
 */
export function expiryText(job: JobListItem, opts: { now: Date; locale?: string }): string {
  if (job.status === 'processing') return '';
  if (job.expires_at === null) return 'kept until deleted';
  const left = new Date(job.expires_at).getTime() - opts.now.getTime();
  return left > 0 ? `expires ${timeUntil(left, opts.locale)}` : 'due for deletion';
}
