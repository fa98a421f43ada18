import { AppError, isAppError, isStorageFull } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BlobStorage } from '../storage/blob-storage.js';
import type { ModelProvider } from '../providers/model-provider.js';
import type { FileError, JobFileRecord } from './job.js';
import type { FileTransitions } from './file-transitions.js';
import type { JobEvents } from './job-events.js';
import type { FileTask, TaskContext } from './job-queue.js';
import type { FileCondition, JobStore } from './job-store.js';
import { deleteOlderDerivatives } from './older-derivatives.js';
import { openPhotos, type PhotoUrls } from './open-photos.js';
import { createSequentialTransitions } from './sequential-transitions.js';
import { completedEvent } from './uploaded-photos.js';
import { storageKeys } from './storage-keys.js';
import { CANCEL_RECORD_WAIT_MS, taskKey, type TaskCancellation } from './task-cancellation.js';

export interface ProcessTaskDeps {
  store: JobStore;
  events: JobEvents;
  storage: BlobStorage;
  provider: ModelProvider;
  logger: Logger;
  /** State changes with their events; default: the store's update, then the event's append. */
  transitions?: FileTransitions;
  /**
   * How long one generation may take before the file fails and its worker slot is freed, even if
   * the provider never answers. @default 600_000 (10 minutes)
   */
  generationTimeoutMs?: number;
  /** Where a cancel reaches the task that runs the file (absent: cancelled work ends at its next mark). */
  cancellation?: TaskCancellation;
  /** How long a task a cancel stopped waits for the cancel to be recorded. @default CANCEL_RECORD_WAIT_MS */
  cancelRecordWaitMs?: number;
  /** Hand the provider presigned photo URLs instead of local files (see PhotoUrls). @default local files */
  photoUrls?: PhotoUrls | undefined;
}

function describeDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
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

/** What a file that hit a full disk says: what happened and what to do, not an anonymous error. */
const STORAGE_FULL_FILE_ERROR: FileError = {
  code: 'INSUFFICIENT_STORAGE',
  message: 'The server ran out of storage space while saving the model: retry this file once space is freed',
};

/** The stored error of a failed file: an AppError says its own; anything else is masked, except a full disk. */
export function fileErrorOf(error: unknown): FileError {
  if (isAppError(error) && error.code !== 'PROCESSING_ERROR') return { code: error.code, message: error.message };
  if (isStorageFull(error)) return STORAGE_FULL_FILE_ERROR;
  if (isAppError(error)) return { code: error.code, message: error.message };
  return { code: 'PROCESSING_ERROR', message: 'Internal processing error' };
}

/** The file was restarted or deleted under a running task: its work no longer counts. */
class StaleTaskError extends Error {
  override readonly name = 'StaleTaskError';
}

/** A cancel was announced for the task's file; the canceller records it once the provider has answered. */
class CancelAnnouncedError extends StaleTaskError {}

/** How a generation ended: done with, or stopped by a cancel that was never recorded (its canceller died). */
type GenerationEnd = 'done' | 'resume';

/**
 * Generates one file at one generation: pending → processing → completed | failed, with a
 * `progress`/`log` event trail, `completed`/`failed`, and `done` when the job finishes.
 */
export function createTaskProcessor(deps: ProcessTaskDeps) {
  const { store, events, storage, provider } = deps;
  const transitions = deps.transitions ?? createSequentialTransitions(deps);
  const timeoutMs = deps.generationTimeoutMs ?? 600_000;
  const cancelRecordWaitMs = deps.cancelRecordWaitMs ?? CANCEL_RECORD_WAIT_MS;
  /** The generations running in this process, each with what stops it when its file is cancelled. */
  const running = new Map<string, AbortController>();
  // Listening starts with the first task, so API processes (which run none) never subscribe;
  // it lasts as long as the cancellation adapter (closed with the runtime).
  let subscribed = false;
  function stopWhenCancelled(task: FileTask): { stop: AbortController; release(): void } {
    if (!subscribed && deps.cancellation) {
      deps.cancellation.listen((cancelled) => running.get(taskKey(cancelled))?.abort(new CancelAnnouncedError('File cancelled')));
      subscribed = true;
    }
    const key = taskKey(task);
    const stop = new AbortController();
    running.set(key, stop);
    return { stop, release: () => running.delete(key) };
  }

  return async function processTask(task: FileTask, ctx: TaskContext): Promise<void> {
    const { job_id, file_id, generation } = task;
    const log = deps.logger.child({ job_id, file_id, generation, attempt: ctx.attempt });
    // Unknown file, another generation or already finished (cancelled too): the task is stale.
    const marked = await transitions.pickUp(job_id, file_id, generation);
    if (!marked) {
      log.debug({}, 'Skipping a stale task');
      return;
    }
    let file: JobFileRecord | null = marked.file;
    while (file) {
      const { stop, release } = stopWhenCancelled(task);
      let end: GenerationEnd;
      try {
        end = await generate(task, ctx, file, stop, log);
      } finally {
        release();
      }
      if (end === 'done') return;
      if (ctx.signal.aborted) {
        log.info({}, 'Generation interrupted; it resumes after a restart');
        throw ctx.signal.reason as Error;
      }
      // Still this task's: generate on, following the provider's task it had (if any).
      log.warn({ waited_ms: cancelRecordWaitMs }, 'A cancel stopped this file but was never recorded (its process may have died); generating on');
      file = await store.getFile(job_id, file_id);
      if (file?.generation !== generation || file.status !== 'processing') return;
    }
  };

  /**
   * Whether the cancel announced for this task was recorded: the file left this generation's
   * `processing`. The canceller announces before it cancels the provider's task and marks the
   * file, so the task waits for the mark, keeping its queue entry meanwhile: should the canceller
   * die in between, the file is still this task's to finish, not left processing with no worker.
   */
  async function cancelRecorded(task: FileTask, ctx: TaskContext): Promise<boolean> {
    const deadline = Date.now() + cancelRecordWaitMs;
    for (;;) {
      const file = await store.getFile(task.job_id, task.file_id);
      if (!file || file.generation !== task.generation || file.status !== 'processing') return true;
      if (Date.now() >= deadline || ctx.signal.aborted) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** `stop` aborts (with a StaleTaskError) when the file is cancelled or restarted under the task. */
  async function generate(task: FileTask, ctx: TaskContext, file: JobFileRecord, stop: AbortController, log: Logger): Promise<GenerationEnd> {
    const { job_id, file_id, generation } = task;
    const when: FileCondition = { generation, status: ['processing'] };
    log.info({ model_task_id: file.model_task_id, face_limit: file.face_limit, tripo_options: file.tripo_options }, 'Generating model');
    let reported = file.progress;

    // Hooks are synchronous for the provider; their writes run in order on this chain.
    let sideEffects = Promise.resolve();
    // Cleared once the generation settles or times out: a timed-out one may keep running and
    // reporting, and what it reports would land after the file's `failed` and the job's `done`.
    // Checked when a hook is called, so what it reported before still drains into the chain.
    let listening = true;
    const inOrder = (work: () => Promise<void>): void => {
      if (!listening) return;
      sideEffects = sideEffects.then(work).catch((error: unknown) => log.warn({ err: error }, 'Recording progress failed'));
    };

    const deadline = AbortSignal.timeout(timeoutMs);
    /** What this task wrote of its result, to remove again when the file turns out to be stale. */
    let resultKeys: string[] = [];
    try {
      // The stored files, not their bytes (a bucket's are copied to temp files), or their presigned
      // URLs: the provider reads them where and when it needs them.
      const photos = await openPhotos(storage, file, deps.photoUrls);
      const generating = provider.generate(
        {
          job_id,
          file_id,
          image: photos.image,
          ...(photos.views ? { views: photos.views } : {}),
          filename: file.filename,
          face_limit: file.face_limit,
          ...(file.tripo_options ? { tripo_options: file.tripo_options } : {}),
          existing_task_id: file.model_task_id,
          signal: AbortSignal.any([ctx.signal, deadline, stop.signal]),
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
              const updated = await transitions.progress(job_id, file_id, value, when, reported);
              if (updated) reported = Math.max(reported, updated.file.progress);
              // Cancelled or restarted meanwhile (a cancel this process was not told of): stop now.
              else stop.abort(new StaleTaskError('File changed while generating'));
            });
          },
          onLog(message, level = 'info') {
            inOrder(async () => {
              await events.append(job_id, { type: 'log', job_id, file_id, message, level });
            });
          },
        },
      );
      // A copy lasts as long as the generation, even one that runs on past its deadline.
      generating.finally(() => photos.release()).catch(() => undefined);
      // Settles at the deadline or the cancel even when the provider does not listen to its signal.
      const answered = beforeDeadline(generating, AbortSignal.any([deadline, stop.signal])).finally(() => {
        listening = false;
      });
      const result = await answered.catch((error: unknown) => {
        if (stop.signal.aborted) throw stop.signal.reason as Error;
        if (!deadline.aborted || ctx.signal.aborted) throw error;
        generating.catch(() => undefined); // it may still settle later: nobody waits for it any more
        throw new AppError('PROCESSING_ERROR', `Generation timed out after ${describeDuration(timeoutMs)}; retry the file`);
      });
      // Cancelled while the result was on its way: nothing of it is stored.
      if (stop.signal.aborted) throw stop.signal.reason as Error;
      // Model and preview written at once while the last hooks drain. They are synced to disk while
      // the completed mark is written, and the mark is put in place only once they are durable.
      const model_key = storageKeys.model(job_id, file_id);
      const preview_key = result.preview ? storageKeys.preview(job_id, file_id) : null;
      resultKeys = preview_key ? [model_key, preview_key] : [model_key];
      // Nothing is stored under them before a file's first attempt at its first generation.
      const fresh = { fresh: generation === 1 && ctx.attempt === 1 };
      const [, ...written] = await Promise.all([
        sideEffects,
        storage.writeUnsynced(model_key, result.glb, fresh),
        ...(result.preview && preview_key ? [storage.writeUnsynced(preview_key, result.preview, fresh)] : []),
      ]);
      const synced = Promise.all(written.map((blob) => blob.synced));
      synced.catch(() => undefined); // the mark waits for it; a stale task's never does
      // Before the mark, so a completed file never has them beside it; nothing is older than a first generation.
      if (generation > 1) await removeOlderDerivatives(task, log);
      const completed = await transitions.finish(
        job_id,
        file_id,
        {
          status: 'completed',
          progress: 100,
          model_key,
          preview_key,
          remote_model_url: result.remote_model_url ?? null,
          warnings: result.warnings,
          shape: result.shape,
          error: null,
        },
        when,
        completedEvent({ warnings: result.warnings, shape: result.shape, views: file.views }),
        { after: synced },
      );
      if (!completed) throw new StaleTaskError('File changed while generating');
      log.info({ warnings: result.warnings.length, shape: result.shape }, 'Model completed');
      for (const warning of result.warnings) log.warn({ code: warning.code, shape: result.shape }, warning.message);
    } catch (error) {
      await sideEffects;
      if (error instanceof StaleTaskError) {
        if (error instanceof CancelAnnouncedError) {
          log.info({}, 'Generation stopped by a cancel');
          if (!(await cancelRecorded(task, ctx))) return 'resume';
        }
        log.info({ reason: error.message }, 'Dropping the result of a stale task');
        await discardResult(task, resultKeys, log);
        return 'done';
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
    return 'done';
  }

  /**
   * Best effort, once the new model is stored: the older generations' conversions and print reports
   * describe the model it replaced (never served: their keys name their generation). One that fails,
   * or an older conversion still running that stores its result later, stays until the next
   * generation's removal or the job's deletion.
   */
  async function removeOlderDerivatives(task: FileTask, log: Logger): Promise<void> {
    try {
      const removed = await deleteOlderDerivatives(storage, task.job_id, task.file_id, task.generation);
      if (removed > 0) log.info({ removed }, "Older generations' conversions removed");
    } catch (error) {
      log.warn({ err: error }, "Removing older generations' conversions failed");
    }
  }

  /**
   * Removes a stale task's model and preview, unless its generation is still the file's and
   * completed (then they are the file's own). A newer generation writes them afresh.
   */
  async function discardResult(task: FileTask, keys: readonly string[], log: Logger): Promise<void> {
    if (keys.length === 0) return;
    try {
      const file = await store.getFile(task.job_id, task.file_id);
      if (file && (file.generation !== task.generation || file.status === 'completed')) return;
      for (const key of keys) await storage.deletePrefix(key);
    } catch (error) {
      log.warn({ err: error }, 'Removing the result of a stale task failed');
    }
  }

  async function recordFailure(
    job_id: string,
    file_id: string,
    when: FileCondition,
    error: unknown,
    log: Logger,
  ): Promise<void> {
    const fileError = fileErrorOf(error);
    log.error({ err: error, code: fileError.code }, 'Model generation failed');
    await transitions.finish(job_id, file_id, { status: 'failed', error: fileError }, when, { type: 'failed', error: fileError });
  }
}

export type ProcessTask = ReturnType<typeof createTaskProcessor>;
