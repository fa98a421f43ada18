import type { Logger } from '../logger.js';
import type { FileTransitions } from './file-transitions.js';
import type { FileError } from './job.js';
import type { JobEvents } from './job-events.js';
import type { AbandonHandler } from './job-queue.js';
import type { JobStore } from './job-store.js';
import { createSequentialTransitions } from './sequential-transitions.js';

/** What the file says when the queue gave it up: a retry (generate-single) starts it afresh. */
export const ABANDONED_ERROR: FileError = {
  code: 'PROCESSING_ERROR',
  message: 'Generation stopped several times without finishing (its worker stopped answering); retry the file',
};

/**
 * The queue's AbandonHandler: fails a file the queue will not run again, with its `failed` event
 * (and `done` when it was the job's last), instead of leaving it processing forever. A file that
 * is no longer pending or processing at that generation is left alone.
 */
export function createTaskAbandoner(deps: { store: JobStore; events: JobEvents; logger: Logger; transitions?: FileTransitions }): AbandonHandler {
  const transitions = deps.transitions ?? createSequentialTransitions(deps);
  return async function abandonTask(task, reason) {
    const { job_id, file_id, generation } = task;
    const failed = await transitions.finish(job_id, file_id, { status: 'failed', error: ABANDONED_ERROR }, { generation, status: ['pending', 'processing'] }, { type: 'failed', error: ABANDONED_ERROR });
    deps.logger.error({ job_id, file_id, generation, reason, code: ABANDONED_ERROR.code, recorded: failed !== null }, 'Model generation given up by the queue');
  };
}
