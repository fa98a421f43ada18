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

/** Marked jobs one pass takes at most; the rest wait for the next pass. */
const PASS_LIMIT = 10_000;

/**
 * One pass of the recovery: feeds the jobs marked when it starts (each feed clears its mark; one
 * that fails keeps it for the next pass). Marks made meanwhile are mostly cleared by their own
 * feeds; the next pass takes the rest, so a pass never chases live traffic.
 * Resolves how many deliveries were queued.
 */
export async function feedUnfedJobs(feeder: WebhookFeeder, unfed: UnfedJobs): Promise<number> {
  return feeder.feedAll(await unfed.list(PASS_LIMIT));
}
