import { deriveJobProgress, jobStateOfTally, tallyFiles, type JobState } from '../job-state.js';
import type { JobWithFiles } from './job.js';

/** A job at a glance: a job list item as it is (fields in the wire's order), and the status body's counts. */
export interface JobSummary {
  job_id: string;
  status: JobState;
  created_at: string;
  updated_at: string;
  /** When retention deletes the job: null while it runs, or when retention is off (0 hours). */
  expires_at: string | null;
  total_files: number;
  /** Completed files. */
  processed_files: number;
  failed_files: number;
  cancelled_files: number;
  progress: number;
}

/**
 * When a job with this status, last updated at `updatedAt`, is deleted by retention: its last
 * update plus `retentionHours` once it is terminal; null while it runs or when retention is off.
 */
export function expiryOf(status: JobState, updatedAt: string, retentionHours: number): string | null {
  if (status === 'processing' || retentionHours <= 0) return null;
  return new Date(Date.parse(updatedAt) + retentionHours * 3_600_000).toISOString();
}

export function summarizeJob({ job, files }: JobWithFiles, retentionHours: number): JobSummary {
  const tally = tallyFiles(files);
  const status = jobStateOfTally(tally);
  return {
    job_id: job.job_id,
    status,
    created_at: job.created_at,
    updated_at: job.updated_at,
    expires_at: expiryOf(status, job.updated_at, retentionHours),
    total_files: tally.total,
    processed_files: tally.total - tally.unfinished - tally.failed - tally.cancelled,
    failed_files: tally.failed,
    cancelled_files: tally.cancelled,
    progress: deriveJobProgress(files),
  };
}
