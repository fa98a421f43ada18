/**
 * The Redis keys of one job, shared by the store, the event log and the transitions that write
 * both in one script: they must agree on every name.
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

/** Entries kept per job event stream (approximately: `MAXLEN ~`). */
export const DEFAULT_EVENTS_MAX_LEN = 10_000;
