import type { Logger } from '../logger.js';
import type { FileTransitions } from './file-transitions.js';
import type { FileError } from './job.js';
import type { JobEvents } from './job-events.js';
import type { AbandonHandler } from './job-queue.js';
import type { JobStore } from './job-store.js';
import { fileErrorOf } from './process-task.js';
import { retryWrite } from './retry-write.js';
import { createSequentialTransitions } from './sequential-transitions.js';

/** What the file says when the queue gave it up: a retry (generate-single) starts it afresh. */
export const ABANDONED_ERROR: FileError = {
  code: 'PROCESSING_ERROR',
  message: 'Generation stopped several times without finishing (its worker stopped answering); retry the file',
};

export interface AbandonDeps {
  store: JobStore;
  events: JobEvents;
  logger: Logger;
  transitions?: FileTransitions;
  /** Delays between attempts at recording the failure (the store may be failing too). @default REPAIR_RETRY_DELAYS_MS */
  retryDelaysMs?: readonly number[];
}

/**
 * The queue's AbandonHandler: fails a file the queue will not run again, with its `failed` event
 * (and `done` when it was the job's last), instead of leaving it pending or processing forever.
 * The file says what the handler's error says (a public code and message, else "Internal
 * processing error"), or ABANDONED_ERROR when its workers kept dying. A file that is no longer
 * pending or processing at that generation is left alone. The error that escaped was often the
 * store failing, so recording is retried for a while; should it never succeed, the reconciler
 * finds the file with no queue entry and queues it again.
 */
export function createTaskAbandoner(deps: AbandonDeps): AbandonHandler {
  const transitions = deps.transitions ?? createSequentialTransitions(deps);
  return async function abandonTask(task, reason, error) {
    const { job_id, file_id, generation } = task;
    const fileError = error === undefined ? ABANDONED_ERROR : fileErrorOf(error);
    const failed = await retryWrite(
      () => transitions.finish(job_id, file_id, { status: 'failed', error: fileError }, { generation, status: ['pending', 'processing'] }, { type: 'failed', error: fileError }),
      {
        ...(deps.retryDelaysMs ? { delaysMs: deps.retryDelaysMs } : {}),
        onRetry: (recordError) => deps.logger.warn({ err: recordError, job_id, file_id, generation }, 'Recording a given-up file failed; trying again'),
      },
    );
    deps.logger.error({ job_id, file_id, generation, reason, err: error, code: fileError.code, recorded: failed !== null }, 'Model generation given up by the queue');
  };
}
