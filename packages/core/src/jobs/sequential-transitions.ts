import type { Logger } from '../logger.js';
import { finalEventPayload, type FileTransitions } from './file-transitions.js';
import type { JobEvent, JobEvents } from './job-events.js';
import { deriveJobState, type JobState } from '../job-state.js';
import type { JobFileRecord } from './job.js';
import type { FileCondition, FilePatch, JobStore, UpdateResult } from './job-store.js';

type FinishedStatus = Exclude<JobState, 'processing'>;

/** How long `done` waits for other files' final events (they follow their store update within ms). */
const FINAL_EVENTS_WAIT_MS = 5_000;

/** For store updates a restart redoes anyway: they need not be durable before the task goes on. */
const LAZY = { durability: 'lazy' } as const;

/**
 * True when, since the previous `done` (the round a generate-single started), every file that has
 * events has a final one (`completed`/`failed`/`cancelled`) as its latest.
 */
function everyRoundEndsWithFinalEvent(log: readonly JobEvent[]): boolean {
  let roundStart = 0;
  log.forEach((event, index) => {
    if (event.type === 'done') roundStart = index + 1;
  });
  const latestByFile = new Map<string, JobEvent['type']>();
  for (const event of log.slice(roundStart)) {
    // A log line says nothing about the file's state: a timed-out generation still running may log after its `failed`.
    if ('file_id' in event && event.type !== 'log') latestByFile.set(event.file_id, event.type);
  }
  return [...latestByFile.values()].every((type) => type === 'completed' || type === 'failed' || type === 'cancelled');
}

/**
 * FileTransitions for any store and event log (embedded mode): the store update, then its event.
 * The processing and progress marks are lazy (a restart resumes pending and processing files
 * alike, so losing them costs nothing); a final mark is durable before its event is appended.
 */
export function createSequentialTransitions(deps: { store: JobStore; events: JobEvents; logger: Logger }): FileTransitions {
  const { store, events } = deps;

  /**
   * The job's status while the round `finished` ended is still the job's latest, or null once a
   * restart (generate-single) reopened the job or began a new generation of the file: that round's
   * own last final mark announces `done`, and announcing the old round's now would close every
   * follower while the new generation runs.
   */
  async function outcomeOfRound(jobId: string, finished: JobFileRecord): Promise<FinishedStatus | null> {
    const current = await store.get(jobId);
    const file = current?.files.find((f) => f.file_id === finished.file_id);
    if (!current || file?.generation !== finished.generation) return null;
    const status = deriveJobState(current.files);
    return status === 'processing' ? null : status;
  }

  /**
   * Two files of a job can finish at the same instant: each marks its file in the store, then
   * appends its `completed`/`failed`. The one whose update finished the job must not append
   * `done` before the other's final event is in the log, or every follower would miss it. This
   * waits (bounded) until each file of the current round ends with its final event, and returns
   * the round's outcome (see outcomeOfRound), read after the log so a restart between the two is
   * seen, and before `done` is appended, so a restart after it announces itself after `done`.
   */
  async function untilFinalEventsAppended(jobId: string, finished: JobFileRecord): Promise<FinishedStatus | null> {
    const deadline = Date.now() + FINAL_EVENTS_WAIT_MS;
    for (;;) {
      const log = await events.since(jobId, null);
      const outcome = await outcomeOfRound(jobId, finished);
      if (outcome === null || everyRoundEndsWithFinalEvent(log)) return outcome;
      if (Date.now() >= deadline) {
        deps.logger.warn({ job_id: jobId }, 'A final file event is still missing; announcing the end of the job anyway');
        return outcome;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Appends `done` when an update was the one that finished the job, after every file's own final event. */
  async function announceIfFinished(jobId: string, result: UpdateResult): Promise<void> {
    if (!result.job_finished || result.job_status === 'processing') return;
    const status = await untilFinalEventsAppended(jobId, result.file);
    if (status) await events.append(jobId, { type: 'done', job_id: jobId, status });
  }

  /**
   * The durable final mark. A failure that cannot be made durable (a full disk) still happened:
   * it is kept in memory, written when the disk allows, and announced, rather than leaving the
   * file processing with no task running. A restart before it is written runs the file again.
   */
  async function markFinal(job_id: string, file_id: string, patch: FilePatch, when: FileCondition, after?: Promise<unknown>): Promise<UpdateResult | null> {
    try {
      return await store.updateFile(job_id, file_id, patch, when, after ? { after } : {});
    } catch (error) {
      if (patch.status !== 'failed') throw error;
      deps.logger.warn({ err: error, job_id, file_id }, 'The failed mark could not be made durable; it is kept in memory and announced');
      return store.updateFile(job_id, file_id, patch, when, LAZY);
    }
  }

  return {
    async pickUp(job_id, file_id, generation) {
      const marked = await store.updateFile(job_id, file_id, { status: 'processing' }, { generation, status: ['pending', 'processing'] }, LAZY);
      // Not waited for: the event log keeps call order, so it still precedes every later event of
      // the file, and the generation starts while it is written.
      if (marked) {
        events.append(job_id, { type: 'progress', job_id, file_id, progress: marked.file.progress }).catch((error: unknown) => {
          deps.logger.warn({ err: error, job_id, file_id }, 'Announcing a picked-up file failed');
        });
      }
      return marked;
    },

    async progress(job_id, file_id, progress, when, announced) {
      const updated = await store.updateFile(job_id, file_id, { progress }, when, LAZY);
      if (updated && updated.file.progress > announced) {
        await events.append(job_id, { type: 'progress', job_id, file_id, progress: updated.file.progress });
      }
      return updated;
    },

    async finish(job_id, file_id, patch, when, event, opts = {}) {
      const finished = await markFinal(job_id, file_id, patch, when, opts.after);
      if (!finished) return null;
      await events.append(job_id, finalEventPayload(job_id, file_id, event));
      await announceIfFinished(job_id, finished);
      return finished;
    },
  };
}
