/**
 * The Redis keys of one job, shared by the store, the event log and the transitions that write
 * both in one script: they must agree on every name (ACTIVE_FILES in job-store.scripts.ts names
 * the tally in Lua: keep it in step).
 */
export function jobKeys(prefix: string, jobId: string) {
  const job = `${prefix}job:${jobId}`;
  return {
    job,
    fileIds: `${job}:file_ids`,
    tally: `${job}:tally`,
    events: `${job}:events`,
    file: (fileId: string) => `${job}:file:${fileId}`,
  };
}

/** The set of every job id. */
export function jobSetKey(prefix: string): string {
  return `${prefix}jobs`;
}

/**
 * The list and retention indexes (job-store.scripts.ts names the same keys in Lua: keep them in
 * step). Per owner: every job, and one set per job status; across the deployment: finished jobs
 * by last update, processing jobs, the cursor key, and the index's version (its migration).
 */
export function indexKeys(prefix: string) {
  const ownerJobs = (owner: string) => `${prefix}owner:${owner}:jobs`;
  return {
    ownerJobs,
    ownerJobsIn: (owner: string, status: string) => `${ownerJobs(owner)}:${status}`,
    finished: `${prefix}jobs:finished`,
    processing: `${prefix}jobs:processing`,
    cursorKey: `${prefix}list-cursor-key`,
    version: `${prefix}index:version`,
  };
}

/** Entries kept per job event stream (approximately: `MAXLEN ~`). */
export const DEFAULT_EVENTS_MAX_LEN = 10_000;

/** The jobs whose final events may not be fed to webhooks yet (job id → its last marked event). */
export function unfedWebhookJobsKey(prefix: string): string {
  return `${prefix}webhooks:unfed`;
}
