import type { Logger } from '../logger.js';
import type { FileTransitions } from '../jobs/file-transitions.js';
import type { WebhookFeeder } from './feed-webhooks.js';

/**
 * FileTransitions that feed the job's webhooks after every final transition (cancel, completion,
 * failure, abandon: each appends its final event, and `done` when it ended the job). The feed is
 * not waited for, so generation never waits on webhooks; a process that dies before it ran leaves
 * the event to the start-up recovery (embedded) or the unfed pass (distributed).
 */
export function withWebhookFeeding(transitions: FileTransitions, feeder: WebhookFeeder, logger: Logger): FileTransitions {
  return {
    pickUp: (jobId, fileId, generation) => transitions.pickUp(jobId, fileId, generation),
    progress: (jobId, fileId, progress, when, announced) => transitions.progress(jobId, fileId, progress, when, announced),
    async finish(jobId, fileId, patch, when, event, opts) {
      const finished = await transitions.finish(jobId, fileId, patch, when, event, opts);
      if (finished) {
        feeder.feed(jobId).catch((error: unknown) => {
          logger.warn({ err: error, job_id: jobId, file_id: fileId }, "Queueing a job's webhooks failed; recovery queues them later");
        });
      }
      return finished;
    },
  };
}
