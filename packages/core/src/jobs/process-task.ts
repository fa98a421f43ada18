import { AppError, isAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BlobStorage } from '../storage/blob-storage.js';
import type { ModelProvider } from '../providers/model-provider.js';
import type { FileError } from './job.js';
import type { JobEvent, JobEvents } from './job-events.js';
import type { FileTask, TaskContext } from './job-queue.js';
import type { FileCondition, JobStore, UpdateResult } from './job-store.js';
import { modelDownloadPath, storageKeys } from './storage-keys.js';

export interface ProcessTaskDeps {
  store: JobStore;
  events: JobEvents;
  storage: BlobStorage;
  provider: ModelProvider;
  logger: Logger;
  /**
   * How long one generation may take before the file fails and its worker slot is freed, even if
   * the provider never answers. @default 600_000 (10 minutes)
   */
  generationTimeoutMs?: number;
}

function describeDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** For store updates a restart redoes anyway: they need not be durable before the task goes on. */
const LAZY = { durability: 'lazy' } as const;

/** How long `done` waits for other files' final events (they follow their store update within ms). */
const FINAL_EVENTS_WAIT_MS = 5_000;

/**
 * True when, since the previous `done` (the round a generate-single started), every file that has
 * events has a final one (`completed`/`failed`) as its latest.
 */
function everyRoundEndsWithFinalEvent(log: readonly JobEvent[]): boolean {
  let roundStart = 0;
  log.forEach((event, index) => {
    if (event.type === 'done') roundStart = index + 1;
  });
  const latestByFile = new Map<string, JobEvent['type']>();
  for (const event of log.slice(roundStart)) {
    if ('file_id' in event) latestByFile.set(event.file_id, event.type);
  }
  return [...latestByFile.values()].every((type) => type === 'completed' || type === 'failed');
}

/** Settles with the work, or rejects as soon as `deadline` aborts, whether or not the work listens. */
function beforeDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onTimeout = (): void => reject(deadline.reason as Error);
    if (deadline.aborted) onTimeout();
    deadline.addEventListener('abort', onTimeout, { once: true });
    work.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onTimeout));
  });
}

/** The file was restarted or deleted under a running task: its work no longer counts. */
class StaleTaskError extends Error {
  override readonly name = 'StaleTaskError';
}

/**
 * Generates one file at one generation: pending → processing → completed | failed, with a
 * `progress`/`log` event trail, `completed`/`failed`, and `done` when the job finishes.
 */
export function createTaskProcessor(deps: ProcessTaskDeps) {
  const { store, events, storage, provider } = deps;
  const timeoutMs = deps.generationTimeoutMs ?? 600_000;

  /** Appends `done` when an update was the one that finished the job, after every file's own final event. */
  async function announceIfFinished(jobId: string, result: UpdateResult): Promise<void> {
    if (!result.job_finished || result.job_status === 'processing') return;
    await untilFinalEventsAppended(jobId);
    await events.append(jobId, { type: 'done', job_id: jobId, status: result.job_status });
  }

  /**
   * Two files of a job can finish at the same instant: each marks its file in the store, then
   * appends its `completed`/`failed`. The one whose update finished the job must not append
   * `done` before the other's final event is in the log, or every follower would miss it. This
   * waits (bounded) until each file of the current round ends with its final event.
   */
  async function untilFinalEventsAppended(jobId: string): Promise<void> {
    const deadline = Date.now() + FINAL_EVENTS_WAIT_MS;
    while (Date.now() < deadline) {
      const log = await events.since(jobId, null);
      if (everyRoundEndsWithFinalEvent(log)) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    deps.logger.warn({ job_id: jobId }, 'A final file event is still missing; announcing the end of the job anyway');
  }

  return async function processTask(task: FileTask, ctx: TaskContext): Promise<void> {
    const { job_id, file_id, generation } = task;
    const log = deps.logger.child({ job_id, file_id, generation, attempt: ctx.attempt });
    // Unknown file, another generation or already finished: the condition fails and the task is stale.
    // Lazy: a crash that loses the mark loses nothing, since a restart resumes pending and processing files alike.
    const marked = await store.updateFile(job_id, file_id, { status: 'processing' }, { generation, status: ['pending', 'processing'] }, LAZY);
    if (!marked) {
      log.debug({}, 'Skipping a stale task');
      return;
    }
    const file = marked.file;
    const when: FileCondition = { generation, status: ['processing'] };
    log.info({ model_task_id: file.model_task_id, face_limit: file.face_limit, tripo_options: file.tripo_options }, 'Generating model');
    let reported = file.progress;

    // The pick-up event and the provider's hooks are written in order on this chain, while the
    // generation goes on; it is drained before the file's final event.
    let sideEffects = Promise.resolve();
    const inOrder = (work: () => Promise<void>): void => {
      sideEffects = sideEffects.then(work).catch((error: unknown) => log.warn({ err: error }, 'Recording progress failed'));
    };
    inOrder(async () => {
      await events.append(job_id, { type: 'progress', job_id, file_id, progress: file.progress });
    });

    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const image = await storage.read(file.image_key);
      const generating = provider.generate(
        {
          job_id,
          file_id,
          image,
          filename: file.filename,
          face_limit: file.face_limit,
          ...(file.tripo_options ? { tripo_options: file.tripo_options } : {}),
          existing_task_id: file.model_task_id,
          signal: AbortSignal.any([ctx.signal, deadline]),
        },
        {
          async onTaskId(taskId) {
            const updated = await store.updateFile(job_id, file_id, { model_task_id: taskId }, when);
            if (!updated) throw new StaleTaskError('File changed while generating');
            log.info({ model_task_id: taskId }, 'Provider task started');
          },
          onProgress(progress) {
            const value = Math.min(100, Math.max(0, Math.round(progress)));
            inOrder(async () => {
              const updated = await store.updateFile(job_id, file_id, { progress: value }, when, LAZY);
              if (!updated || updated.file.progress <= reported) return;
              reported = updated.file.progress;
              await events.append(job_id, { type: 'progress', job_id, file_id, progress: reported });
            });
          },
          onLog(message, level = 'info') {
            inOrder(async () => {
              await events.append(job_id, { type: 'log', job_id, file_id, message, level });
            });
          },
        },
      );
      const result = await beforeDeadline(generating, deadline).catch((error: unknown) => {
        if (!deadline.aborted || ctx.signal.aborted) throw error;
        generating.catch(() => undefined); // it may still settle later: nobody waits for it any more
        throw new AppError('PROCESSING_ERROR', `Generation timed out after ${describeDuration(timeoutMs)}; retry the file`);
      });
      // Model and preview written at once, while the last hooks drain; all of it before the file is marked completed.
      const model_key = storageKeys.model(job_id, file_id);
      const preview_key = result.preview ? storageKeys.preview(job_id, file_id) : null;
      await Promise.all([
        sideEffects,
        storage.write(model_key, result.glb),
        ...(result.preview && preview_key ? [storage.write(preview_key, result.preview)] : []),
      ]);
      const completed = await store.updateFile(
        job_id,
        file_id,
        {
          status: 'completed',
          progress: 100,
          model_key,
          preview_key,
          remote_model_url: result.remote_model_url ?? null,
          warnings: result.warnings,
          error: null,
        },
        when,
      );
      if (!completed) throw new StaleTaskError('File changed while generating');
      log.info({ warnings: result.warnings.length }, 'Model completed');
      await events.append(job_id, { type: 'completed', job_id, file_id, model_url: modelDownloadPath(job_id, file_id) });
      await announceIfFinished(job_id, completed);
    } catch (error) {
      await sideEffects;
      if (error instanceof StaleTaskError) {
        log.info({}, 'Dropping the result of a stale task');
        return;
      }
      if (ctx.signal.aborted) {
        // Shutting down: the file stays processing and is resumed (not re-submitted) after restart.
        log.info({}, 'Generation interrupted; it resumes after a restart');
        throw error;
      }
      if (isAppError(error) && error.retryable && ctx.attempt < ctx.maxAttempts) {
        log.warn({ err: error }, 'Transient failure; the queue retries');
        const reason = error.isPublic ? `: ${error.message}` : '';
        await events.append(job_id, {
          type: 'log',
          job_id,
          file_id,
          level: 'warning',
          message: `Retrying after a transient error${reason} (attempt ${ctx.attempt + 1} of ${ctx.maxAttempts})`,
        });
        throw error;
      }
      await recordFailure(job_id, file_id, when, error, log);
    }
  };

  async function recordFailure(
    job_id: string,
    file_id: string,
    when: FileCondition,
    error: unknown,
    log: Logger,
  ): Promise<void> {
    const fileError: FileError = isAppError(error)
      ? { code: error.code, message: error.message }
      : { code: 'PROCESSING_ERROR', message: 'Internal processing error' };
    log.error({ err: error, code: fileError.code }, 'Model generation failed');
    const failed = await store.updateFile(job_id, file_id, { status: 'failed', error: fileError }, when);
    if (!failed) return;
    await events.append(job_id, { type: 'failed', job_id, file_id, error: fileError });
    await announceIfFinished(job_id, failed);
  }
}

export type ProcessTask = ReturnType<typeof createTaskProcessor>;
