import type { WebhookFeeder } from './feed-webhooks.js';

/**
 * Port (distributed mode): jobs marked as having final events whose webhooks may not be queued
 * yet. The state change that appends a final event marks its job in the same atomic step, and
 * the feeder clears the mark once it has fed past that event, so a process that dies in between
 * leaves the mark for `feedUnfedJobs` to find.
 */
export interface UnfedJobs {
  /** Up to `limit` marked jobs. */
  list(limit: number): Promise<string[]>;
  /** Clears the job's mark when its marked event is at or before `eventId`; a later mark stays. */
  clearUpTo(jobId: string, eventId: string): Promise<void>;
  /** Clears the mark of a job that no longer exists. */
  forget(jobId: string): Promise<void>;
}

/** Jobs taken per round of a pass. */
const BATCH = 200;

/**
 * One pass of the recovery: feeds every marked job (each feed clears its mark). A job marked again
 * meanwhile is fed in the same pass; a feed that fails leaves its mark for the next pass.
 * Resolves how many deliveries were queued.
 */
export async function feedUnfedJobs(feeder: WebhookFeeder, unfed: UnfedJobs): Promise<number> {
  let queued = 0;
  const tried = new Set<string>();
  for (;;) {
    const fresh = (await unfed.list(BATCH + tried.size)).filter((jobId) => !tried.has(jobId));
    if (fresh.length === 0) return queued;
    for (const jobId of fresh) tried.add(jobId);
    queued += await feeder.feedAll(fresh);
  }
}
