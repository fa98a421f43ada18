import type { JobFile, JobStatus, TrackedJobEvent } from '@image2model/client';
import { deriveJobProgress, isFinalFileStatus, tallyFiles, type FileStatus } from '@image2model/core/job-state';

export type { FileStatus };

export interface FileState {
  fileId: string;
  filename: string;
  status: FileStatus;
  progress: number;
  /** The newest log lines (at most MAX_LOG_LINES). */
  logs: { message: string; level: 'info' | 'warning' }[];
  /** Log lines ever received, so a view can tell new lines from trimmed ones. */
  logTotal: number;
  /** How the finished model was made, where the user should know (from the status, then the `completed` event). */
  warnings: JobFile['warnings'];
  /** How its depth was made (`revolved`, `inflated`, `card`); null for FAL's models and unfinished files. */
  shape: JobFile['shape'];
  /** The photo of each side, for a model made from several views of one object; null for one photo. */
  views: JobFile['views'] | null;
  error: { code: string; message: string } | null;
}

export interface BatchState {
  jobId: string;
  sessionId: string;
  files: Map<string, FileState>;
  /** The newest event applied: the stream resumes after it. */
  lastEventId: string | null;
  /** The job's `done` was the newest event: nothing is running. */
  done: boolean;
}

/** Log lines kept per file: enough to follow, bounded for long FAL runs. */
const MAX_LOG_LINES = 50;

export function createBatchState(job: Pick<JobStatus, 'job_id' | 'session_id' | 'files'>): BatchState {
  const files = new Map<string, FileState>();
  for (const file of job.files) {
    files.set(file.file_id, {
      fileId: file.file_id,
      filename: file.filename,
      status: file.status,
      progress: file.progress,
      logs: [],
      logTotal: 0,
      warnings: file.warnings,
      shape: file.shape,
      views: file.views ?? null,
      error: file.error ?? null,
    });
  }
  return { jobId: job.job_id, sessionId: job.session_id, files, lastEventId: null, done: false };
}

function pushLog(file: FileState, message: string, level: 'info' | 'warning'): void {
  file.logs.push({ message, level });
  file.logTotal += 1;
  if (file.logs.length > MAX_LOG_LINES) file.logs.splice(0, file.logs.length - MAX_LOG_LINES);
}

/** A new attempt: what was said about the previous model no longer holds. */
function forgetModel(file: FileState): void {
  file.warnings = [];
  file.shape = null;
}

/** Applies one event from the stream, in order; returns the file it changed (if any). */
export function applyEvent(state: BatchState, event: TrackedJobEvent): FileState | null {
  state.lastEventId = event.id;
  if (event.type === 'done') {
    state.done = true;
    return null;
  }
  state.done = false;
  const file = state.files.get(event.file_id);
  if (!file) return null;
  switch (event.type) {
    case 'progress':
      // After a finish, only a progress 0 means something: a new attempt (generate-single or retry).
      if (isFinalFileStatus(file.status) && event.progress !== 0) break;
      if (isFinalFileStatus(file.status)) forgetModel(file);
      file.status = 'processing';
      file.error = null;
      file.progress = event.progress;
      break;
    case 'log':
      pushLog(file, event.message, event.level ?? 'info');
      break;
    case 'completed':
      file.status = 'completed';
      file.progress = 100;
      file.error = null;
      file.warnings = event.warnings;
      file.shape = event.shape;
      break;
    case 'failed':
      file.status = 'failed';
      file.error = event.error;
      break;
    case 'cancelled':
      // It keeps its last progress: how far it got.
      file.status = 'cancelled';
      break;
    default:
      break;
  }
  return file;
}

/**
 * Whether generating the same photo again could succeed: a cancelled file, or a failed one whose
 * failure was not the photo's own. A VALIDATION_ERROR is the photo's fault (damaged, cut off, too
 * many pixels): the server would fail it the same way, so the page asks for another copy instead
 * of offering Retry.
 */
export function retryCanHelp(file: FileState): boolean {
  if (file.status === 'cancelled') return true;
  return file.status === 'failed' && file.error?.code !== 'VALIDATION_ERROR';
}

/** Pending or processing: a cancel still stops something. */
export function canCancel(file: FileState): boolean {
  return file.status === 'pending' || file.status === 'processing';
}

/**
 * What "Retry failed" regenerates (every file retryCanHelp), and the failed files it leaves out
 * because retrying cannot help them (the server's retry of the whole job would fail them again).
 */
export function retryPlan(state: BatchState): { retry: FileState[]; leftOut: FileState[] } {
  const files = [...state.files.values()];
  return { retry: files.filter(retryCanHelp), leftOut: files.filter((file) => file.status === 'failed' && !retryCanHelp(file)) };
}

/**
 * Marks the files the server said it cancelled, before their `cancelled` events arrive, so the
 * page answers the click at once. The events apply the same change again.
 */
export function markCancelled(state: BatchState, fileIds: readonly string[]): void {
  for (const fileId of fileIds) {
    const file = state.files.get(fileId);
    if (file && canCancel(file)) file.status = 'cancelled';
  }
}

/** Marks files as started again locally, before the server's first event for the new attempt. */
export function markRetrying(state: BatchState, fileIds: readonly string[]): void {
  for (const fileId of fileIds) {
    const file = state.files.get(fileId);
    if (!file) continue;
    file.status = 'pending';
    file.progress = 0;
    file.error = null;
    forgetModel(file);
    pushLog(file, 'Retrying…', 'info');
    state.done = false;
  }
}

/** The server's rule (core's deriveJobProgress): the mean of every file's progress, final files counting 100. */
export function batchProgress(state: BatchState): { percent: number; completed: number; failed: number; cancelled: number; total: number } {
  const files = [...state.files.values()];
  const tally = tallyFiles(files);
  const completed = tally.total - tally.unfinished - tally.failed - tally.cancelled;
  return { percent: deriveJobProgress(files), completed, failed: tally.failed, cancelled: tally.cancelled, total: tally.total };
}

/** Something is still generating (or about to): the page keeps following the stream. */
export function isRunning(state: BatchState): boolean {
  return [...state.files.values()].some((f) => f.status === 'pending' || f.status === 'processing');
}
