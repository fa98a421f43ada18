import type { Logger } from '../logger.js';
import type { JobEvent, JobEvents } from '../jobs/job-events.js';
import type { JobStore } from '../jobs/job-store.js';
import type { JobWithFiles } from '../jobs/job.js';
import { summarizeJob } from '../jobs/job-summary.js';
import { buildWebhookMessage, isFinalJobEvent, type FinalJobEvent, type WebhookMessage } from './webhook-message.js';
import type { WebhookOutbox } from './webhook-outbox.js';
import type { UnfedJobs } from './unfed-jobs.js';

export interface WebhookFeederDeps {
  store: JobStore;
  events: JobEvents;
  outbox: WebhookOutbox;
  logger: Logger;
  /** A completed file's public model URL (PUBLIC_URL and the download path; the API layer owns paths). */
  modelUrl: (jobId: string, fileId: string) => string;
  /** For `job.finished`'s summary (`expires_at`). @default 0 */
  retentionHours?: number;
  /** Distributed mode: the marks of jobs with final events not yet fed, cleared as they are. */
  unfed?: UnfedJobs;
  /** Called after deliveries were queued, so this process's dispatcher looks at once. */
  onQueued?: () => void;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface WebhookFeeder {
  /**
   * Queues a webhook for every final event of the job's log after its webhook cursor, to the job's
   * current URL (none: nothing is queued), then moves the cursor past what it read. Feeds of one
   * job run one at a time in a process; one asked for while another runs follows it once.
   * Resolves how many deliveries were queued.
   */
  feed(jobId: string): Promise<number>;
  /**
   * Moves a job's cursor to the end of its log: before a URL is set on a job that had none, so it
   * gets only the events that follow (a job with no URL is never read, so its cursor stays behind).
   */
  skipToEnd(jobId: string): Promise<void>;
  /** Feeds each job (start-up recovery, the unfed pass), a few at a time; resolves how many were queued. */
  feedAll(jobIds: readonly string[]): Promise<number>;
  /** Resolves when every feed started so far has ended (before the outbox closes). */
  idle(): Promise<void>;
}

/** Jobs fed at once by feedAll: each reads one job and its log. */
const CONCURRENCY = 8;

/**
 * The bridge from the job log to the webhook outbox. Ids are derived from the log event
 * (webhookEventId), so feeding an event twice (two processes, a lost cursor, recovery) queues it
 * once. A job with no URL costs nothing per event (neither its log nor its cursor is touched);
 * `skipToEnd` before a URL is set on it makes that URL get only the events that follow.
 * @example
 * const feeder = createWebhookFeeder({ store, events, outbox, logger, modelUrl });
 * await feeder.feed(jobId);
 */
export function createWebhookFeeder(deps: WebhookFeederDeps): WebhookFeeder {
  const { store, events, outbox, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const retentionHours = deps.retentionHours ?? 0;
  /** Per job: the last feed queued (`tail`), and the one waiting to start, which later asks join. */
  const chains = new Map<string, { tail: Promise<number>; waiting: Promise<number> | null }>();

  async function messageOf(event: FinalJobEvent, found: JobWithFiles): Promise<WebhookMessage> {
    const created_at = now().toISOString();
    if (event.type === 'done') {
      // Read again: the job read before the log may predate the change that finished it.
      const current = (await store.get(event.job_id)) ?? found;
      return buildWebhookMessage({ event, summary: { ...summarizeJob(current, retentionHours), status: event.status }, created_at });
    }
    const file = found.files.find((f) => f.file_id === event.file_id);
    return buildWebhookMessage({ event, model_task_id: file?.model_task_id ?? null, modelUrl: deps.modelUrl, created_at });
  }

  async function feedOnce(jobId: string): Promise<number> {
    // Nothing to send (no URL, or the job is gone): the job and its log are not read, so the many
    // finished files of jobs without webhooks cost one small read.
    const found = (await store.webhookUrlOf(jobId)) === null ? null : await store.get(jobId);
    const url = found?.job.webhook_url ?? null;
    if (!found || url === null) {
      await deps.unfed?.forget(jobId);
      return 0;
    }
    const cursor = found.job.webhook_cursor ?? null;
    const log: JobEvent[] = await events.since(jobId, cursor);
    let queued = 0;
    for (const event of log) {
      if (!isFinalJobEvent(event)) continue;
      const message = await messageOf(event, found);
      if (await outbox.enqueue({ id: message.id, job_id: jobId, type: message.type, url, body: message.body })) queued += 1;
    }
    const fedTo = log.at(-1)?.id ?? cursor;
    if (fedTo !== null) {
      if (fedTo !== cursor) await store.setWebhookCursor(jobId, fedTo);
      await deps.unfed?.clearUpTo(jobId, fedTo);
    }
    if (queued > 0) deps.onQueued?.();
    return queued;
  }

  function feed(jobId: string): Promise<number> {
    const chain = chains.get(jobId) ?? { tail: Promise.resolve(0), waiting: null };
    if (chain.waiting) return chain.waiting;
    const run = chain.tail
      .catch(() => 0)
      .then(() => {
        chain.waiting = null; // asks from now on need a feed after this one
        return feedOnce(jobId);
      });
    chain.tail = run;
    chain.waiting = run;
    chains.set(jobId, chain);
    run
      .finally(() => {
        if (chain.tail === run) chains.delete(jobId);
      })
      .catch(() => undefined);
    return run;
  }

  return {
    feed,
    async skipToEnd(jobId) {
      const found = await store.get(jobId);
      if (!found) return;
      const last = (await events.since(jobId, found.job.webhook_cursor ?? null)).at(-1)?.id;
      if (last !== undefined) await store.setWebhookCursor(jobId, last);
    },
    async feedAll(jobIds) {
      let queued = 0;
      for (let i = 0; i < jobIds.length; i += CONCURRENCY) {
        const batch = jobIds.slice(i, i + CONCURRENCY).map((jobId) =>
          feed(jobId).catch((error: unknown) => {
            logger.error({ err: error, job_id: jobId }, "Queueing a job's webhooks failed; a later feed tries again");
            return 0;
          }),
        );
        for (const count of await Promise.all(batch)) queued += count;
      }
      return queued;
    },
    async idle() {
      while (chains.size > 0) await Promise.allSettled([...chains.values()].map((chain) => chain.tail));
    },
  };
}
