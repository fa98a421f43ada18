import type { Logger } from '../logger.js';
import { finalEventPayload, type FinalEvent } from './file-transitions.js';
import { deriveJobState } from '../job-state.js';
import type { JobFileRecord } from './job.js';
import { completedEvent } from './uploaded-photos.js';
import type { JobEvent, JobEvents } from './job-events.js';
import type { JobStore } from './job-store.js';

/** Jobs checked at once: each check reads one event log. */
const CONCURRENCY = 8;

function finalEventOf(job_id: string, file: JobFileRecord): FinalEvent | null {
  if (file.status === 'completed') return completedEvent(file);
  if (file.status === 'failed' && file.error) return { type: 'failed', error: file.error };
  if (file.status === 'cancelled') return { type: 'cancelled' };
  return null;
}

/**
 * The events a job's log lacks for what its store says: the final event of every completed,
 * failed or cancelled file whose newest event does not already say so, then `done` when the job is finished
 * and its newest event is not a `done` after them. Log lines are left out: they say nothing about
 * a file's state, and a timed-out generation still running may log after its `failed` and `done`.
 */
function missingEvents(job_id: string, files: JobFileRecord[], everything: readonly JobEvent[]) {
  const log = everything.filter((event) => event.type !== 'log');
  const newestByFile = new Map<string, JobEvent>();
  for (const event of log) if ('file_id' in event) newestByFile.set(event.file_id, event);
  const finals = files.flatMap((file) => {
    const event = finalEventOf(job_id, file);
    return event && newestByFile.get(file.file_id)?.type !== event.type ? [finalEventPayload(job_id, file.file_id, event)] : [];
  });
  const status = deriveJobState(files);
  const announced = finals.length === 0 && log.at(-1)?.type === 'done';
  const done = status === 'processing' || announced ? [] : [{ type: 'done' as const, job_id, status }];
  return [...finals, ...done];
}

/**
 * Embedded mode marks a file final in the store, durably, and only then appends its event: a
 * crash between the two leaves a file completed or failed with no final event (and no `done` if it
 * was the job's last), so every client following the stream would wait forever. Run at start-up,
 * before anything can generate (no final mark is then waiting for its event), over the jobs the
 * store says the previous run changed (`jobIds`), this appends what is missing; a second run finds
 * nothing to add. Returns how many events were appended.
 */
export async function appendMissingFinalEvents(deps: { store: JobStore; events: JobEvents; logger: Logger; jobIds: readonly string[] }): Promise<number> {
  const jobs = deps.jobIds;
  let appended = 0;
  async function recover(job_id: string): Promise<void> {
    const found = await deps.store.get(job_id);
    if (!found || found.files.every((f) => f.status === 'pending' || f.status === 'processing')) return;
    try {
      const missing = missingEvents(job_id, found.files, await deps.events.since(job_id, null));
      for (const payload of missing) await deps.events.append(job_id, payload);
      if (missing.length > 0) deps.logger.warn({ job_id, events: missing.map((e) => e.type) }, 'Appended final events a crash had lost');
      appended += missing.length;
    } catch (error) {
      // One unreadable log must not keep the service from starting; the next start tries again.
      deps.logger.error({ err: error, job_id }, 'Checking a job for lost final events failed');
    }
  }
  for (let i = 0; i < jobs.length; i += CONCURRENCY) await Promise.all(jobs.slice(i, i + CONCURRENCY).map((jobId) => recover(jobId)));
  return appended;
}
