import type { Logger } from '../logger.js';
import type { JobQueue } from './job-queue.js';
import type { JobStore } from './job-store.js';

/**
 * Queues again every pending or processing file with no live queue entry: what a restart or a
 * crash between the queue's state and ours left with nothing to run it. A file that already has
 * a provider task id is not submitted again: its task resumes following that request
 * (`existing_task_id`), as after any restart. Enqueueing is idempotent per file and generation,
 * so a file queued meanwhile by someone else is not run twice. Returns how many were queued.
 */
export async function requeueOrphans(deps: { store: JobStore; queue: JobQueue; logger: Logger }): Promise<number> {
  const unfinished = await deps.store.listUnfinished();
  if (unfinished.length === 0) return 0;
  const files = new Map(unfinished.map(({ job_id, file }) => [`${job_id}/${file.file_id}/${file.generation}`, file]));
  const owners = await ownersOf(deps.store, new Set(unfinished.map(({ job_id }) => job_id)));
  const tasks = unfinished.map(({ job_id, file }) => ({ job_id, file_id: file.file_id, generation: file.generation, owner: owners.get(job_id) ?? '' }));
  const orphans = await deps.queue.withoutEntry(tasks);
  if (orphans.length === 0) return 0;
  await deps.queue.enqueue(orphans);
  for (const task of orphans) {
    const file = files.get(`${task.job_id}/${task.file_id}/${task.generation}`);
    deps.logger.info({ ...task, status: file?.status, model_task_id: file?.model_task_id ?? null }, 'Queued a file that had no queue entry');
  }
  return orphans.length;
}

/** Each job's owner, so a requeued file takes its owner's turn in the queue. */
async function ownersOf(store: JobStore, jobIds: Set<string>): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (const jobId of jobIds) {
    const found = await store.get(jobId);
    if (found) owners.set(jobId, found.job.owner);
  }
  return owners;
}
