import { viewFilenames, type Access, type JobEvent, type JobFileRecord, type JobSummary, type JobWithFiles } from '@image2model/core';
import type { Context } from './context.js';
import type { JobEventWire } from './routers/status/on-status-events.types.js';
import { downloadPaths } from './paths.js';

export function accessFor(ctx: Context, sessionId: string | undefined | null): Access {
  return { owner: ctx.identity.principal?.owner ?? null, session_id: sessionId ?? null };
}

/**
 * Download URLs carry the job's session id, so they work as plain links (an `<a download>`, curl,
 * a viewer) for whoever was allowed to see them, without the API key.
 */
function sessionQuery(sessionId: string): string {
  return `?session_id=${encodeURIComponent(sessionId)}`;
}

/** `query` is the job's `?session_id=…`, encoded once per job rather than twice per file. */
function toWireFile(file: JobFileRecord, jobId: string, query: string, publicUrl: string) {
  const completed = file.status === 'completed';
  const views = viewFilenames(file.views);
  return {
    file_id: file.file_id,
    filename: file.filename,
    status: file.status,
    progress: completed || file.status === 'failed' ? 100 : file.progress,
    model_url: completed ? `${publicUrl}${downloadPaths.model(jobId, file.file_id)}${query}` : null,
    preview_url: completed && file.preview_key !== null ? `${publicUrl}${downloadPaths.preview(jobId, file.file_id)}${query}` : null,
    model_task_id: file.model_task_id,
    face_limit: file.face_limit,
    ...(file.status === 'failed' && file.error ? { error: file.error } : {}),
    // Set when the model completes; a new generation clears them, so others have [] and null.
    warnings: file.warnings,
    shape: file.shape,
    ...(views ? { views } : {}),
  };
}

/** The status body: `summary` is the job service's (core's one rule for status, counts and expiry). */
export function toJobStatus({ job, files }: JobWithFiles, summary: JobSummary, publicUrl: string) {
  const query = sessionQuery(job.session_id);
  return {
    job_id: job.job_id,
    session_id: job.session_id,
    status: summary.status,
    total_files: summary.total_files,
    processed_files: summary.processed_files,
    failed_files: summary.failed_files,
    cancelled_files: summary.cancelled_files,
    progress: summary.progress,
    created_at: summary.created_at,
    updated_at: summary.updated_at,
    expires_at: summary.expires_at,
    webhook_url: job.webhook_url ?? null,
    files: files.map((file) => toWireFile(file, job.job_id, query, publicUrl)),
  };
}

/**
 * Core's events carry ids; a `completed` event gets its absolute, directly downloadable model URL
 * here. Built from the ids alone, so an event log written by an earlier version, which stored a
 * `model_url` path in the event, streams exactly the same wire event; its warnings and shape are
 * the stored event's (`[]` and null in logs from before they were announced).
 */
export function toWireEvent(event: JobEvent, sessionId: string, publicUrl: string): JobEventWire {
  const { id: _id, ...payload } = event;
  if (payload.type === 'completed') {
    const { type, job_id, file_id } = payload;
    const model_url = `${publicUrl}${downloadPaths.model(job_id, file_id)}${sessionQuery(sessionId)}`;
    // Logs written before warnings and shape were announced lack them: nothing said, nothing known.
    return { type, job_id, file_id, model_url, warnings: payload.warnings ?? [], shape: payload.shape ?? null, ...(payload.views ? { views: payload.views } : {}) };
  }
  return payload;
}
