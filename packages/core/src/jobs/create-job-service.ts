import { AppError } from '../errors.js';
import { createJobId, createSessionId, FILE_ID_PATTERN, fileIdFor, JOB_ID_PATTERN } from '../ids.js';
import type { Logger } from '../logger.js';
import type { ModelProvider } from '../providers/model-provider.js';
import type { BlobStorage } from '../storage/blob-storage.js';
import { canRead, isOwner } from './access.js';
import { cleanupJobs } from './cleanup-jobs.js';
import type { FileTransitions } from './file-transitions.js';
import type { FileError, JobFileRecord, JobRecord, JobWithFiles, TripoOptions } from './job.js';
import type { JobEvents } from './job-events.js';
import type { FileTask, JobQueue } from './job-queue.js';
import type { Access, CompletedModel, JobService } from './job-service.js';
import type { JobStore } from './job-store.js';
import { createTaskAbandoner } from './abandon-task.js';
import { createTaskProcessor } from './process-task.js';
import { requeueOrphans } from './requeue-orphans.js';
import { retryWrite } from './retry-write.js';
import { createSequentialTransitions } from './sequential-transitions.js';
import { fileStem, storageKeys } from './storage-keys.js';

export interface JobServiceDeps {
  store: JobStore;
  queue: JobQueue;
  events: JobEvents;
  storage: BlobStorage;
  provider: ModelProvider;
  logger: Logger;
  /** @default () => new Date() */
  now?: () => Date;
  /** The upload temp directory (inside the data directory); cleanup sweeps stray files there. */
  uploadTempDir?: string;
  /** A generation that takes longer fails and frees its slot. @default 600_000 (10 minutes) */
  generationTimeoutMs?: number;
  /** State changes with their events, atomic where the adapters allow; default: update, then append. */
  transitions?: FileTransitions;
}

/** What a restarted file says when it could not be queued: generate-single may try again. */
export const UNQUEUED_ERROR: FileError = {
  code: 'SERVICE_UNAVAILABLE',
  message: 'The file could not be queued (the job store was unavailable); generate it again',
};

/** Only the options actually given; undefined when there are none. */
function given(options: TripoOptions | undefined): TripoOptions | undefined {
  if (!options) return undefined;
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as TripoOptions;
  return Object.keys(defined).length > 0 ? defined : undefined;
}

/**
 * The use cases behind every transport. The composition root wires the worker side:
 * `queue.process((task, ctx) => service.processTask(task, ctx), (task, reason) => service.abandonTask(task, reason))`,
 * then `service.resumeUnfinished()`.
 */
export function createJobService(deps: JobServiceDeps): JobService {
  const { store, queue, storage, provider, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const transitions = deps.transitions ?? createSequentialTransitions(deps);
  const processTask = createTaskProcessor({ ...deps, transitions });

  /** A caller's id outside the pattern is an unknown job: it never reaches the store (`<id>:tally` is a Redis key). */
  async function lookUp(jobId: string): Promise<JobWithFiles | null> {
    return JOB_ID_PATTERN.test(jobId) ? store.get(jobId) : null;
  }

  async function readable(jobId: string, access: Access): Promise<JobWithFiles> {
    const found = await lookUp(jobId);
    if (!found || !canRead(found.job, access)) throw new AppError('NOT_FOUND', 'Job not found');
    return found;
  }

  function fileOf(job: JobWithFiles, fileId: string): JobFileRecord {
    const file = FILE_ID_PATTERN.test(fileId) ? job.files.find((f) => f.file_id === fileId) : undefined;
    if (!file) throw new AppError('NOT_FOUND', 'File not found');
    return file;
  }

  /**
   * Removes a job whose files could not be queued: its record, events and photos. Retried, since
   * the store's outage often caused the failure; if it never passes, the reconciler finds the
   * files with no queue entry and queues them.
   */
  async function withdrawJob(jobId: string, cause: unknown): Promise<void> {
    try {
      await retryWrite(
        async () => {
          await store.delete(jobId);
          await deps.events.delete(jobId);
        },
        { onRetry: (error) => logger.warn({ err: error, job_id: jobId }, 'Removing a job that could not be queued failed; trying again') },
      );
      await storage.deletePrefix(storageKeys.job(jobId));
      logger.warn({ err: cause, job_id: jobId }, 'Job removed: its files could not be queued');
    } catch (error) {
      logger.error({ err: error, job_id: jobId }, 'A job whose files could not be queued is left for the reconciler');
    }
  }

  /** Fails a restarted file that could not be queued (SERVICE_UNAVAILABLE), with its event. */
  async function failUnqueued(task: FileTask, cause: unknown): Promise<void> {
    const { job_id, file_id, generation } = task;
    try {
      await retryWrite(
        () => transitions.finish(job_id, file_id, { status: 'failed', error: UNQUEUED_ERROR }, { generation, status: ['pending'] }, { type: 'failed', error: UNQUEUED_ERROR }),
        { onRetry: (error) => logger.warn({ err: error, job_id, file_id }, 'Failing a file that could not be queued failed; trying again') },
      );
      logger.warn({ err: cause, job_id, file_id, generation }, 'File failed: it could not be queued');
    } catch (error) {
      logger.error({ err: error, job_id, file_id }, 'A file that could not be queued is left pending for the reconciler');
    }
  }

  async function storedSize(key: string | null): Promise<number | null> {
    if (key === null) return null;
    return (await storage.stat(key))?.size ?? null;
  }

  return {
    async createJob({ owner, face_limit, images, tripo_options }) {
      if (images.length === 0) throw new AppError('VALIDATION_ERROR', 'No files uploaded');
      const at = now();
      let job_id = createJobId(at);
      while (await store.get(job_id)) job_id = createJobId(at);
      const timestamp = at.toISOString();
      const options = given(tripo_options);
      const job: JobRecord = {
        job_id,
        session_id: createSessionId(),
        owner,
        face_limit,
        ...(options ? { tripo_options: options } : {}),
        created_at: timestamp,
        updated_at: timestamp,
      };
      const planned = images.map((image, index) => {
        const file_id = fileIdFor(index);
        const file: JobFileRecord = {
          file_id,
          filename: image.filename,
          status: 'pending',
          progress: 0,
          model_task_id: provider.mintTaskId?.() ?? null,
          face_limit,
          ...(options ? { tripo_options: { ...options } } : {}),
          error: null,
          image_key: storageKeys.upload(job_id, file_id, image.format),
          model_key: null,
          preview_key: null,
          remote_model_url: null,
          generation: 1,
          warnings: [],
          created_at: timestamp,
          updated_at: timestamp,
        };
        return { file, temp_path: image.temp_path };
      });
      const files = planned.map((p) => p.file);
      try {
        // Every photo durable before the record naming it is committed; their syncs overlap.
        const moved = await Promise.allSettled(planned.map(({ file, temp_path }) => storage.moveIn(file.image_key, temp_path)));
        const failed = moved.find((outcome) => outcome.status === 'rejected');
        if (failed) throw failed.reason;
        await store.create(job, files);
      } catch (error) {
        // Nothing half-stored: drop whatever was moved in.
        await storage.deletePrefix(storageKeys.job(job_id)).catch((cleanupError: unknown) => {
          logger.error({ err: cleanupError, job_id }, 'Removing a failed upload failed');
        });
        throw error;
      }
      logger.info({ job_id, files: files.length, face_limit, tripo_options: options }, 'Job created');
      try {
        await queue.enqueue(files.map((f) => ({ job_id, file_id: f.file_id, generation: f.generation })));
      } catch (error) {
        // The client gets an error and never learns the job id: no job may be left behind.
        await withdrawJob(job_id, error);
        throw error;
      }
      return { job, files };
    },

    getJob: readable,

    async generateSingle(input, access) {
      const found = await lookUp(input.job_id);
      if (!found || !isOwner(found.job, access)) throw new AppError('NOT_FOUND', 'Job not found');
      const file = fileOf(found, input.file_id);
      const busy = (): AppError =>
        new AppError('CONFLICT', `File ${input.file_id} is already being generated; wait until it completes or fails`);
      if (file.status === 'pending' || file.status === 'processing') throw busy();
      const changed = given(input.tripo_options);
      const restarted = await store.restartFile(
        input.job_id,
        input.file_id,
        {
          face_limit: input.face_limit === undefined ? file.face_limit : input.face_limit,
          model_task_id: provider.mintTaskId?.() ?? null,
          // New options are merged into the file's, in the same atomic write as the restart.
          ...(changed ? { tripo_options: { ...file.tripo_options, ...changed } } : {}),
        },
        { status: ['completed', 'failed'] },
      );
      if (!restarted) throw busy();
      const { generation, model_task_id } = restarted.file;
      logger.info({ job_id: input.job_id, file_id: input.file_id, generation }, 'File queued again');
      const task = { job_id: input.job_id, file_id: input.file_id, generation };
      try {
        // The job is processing again: an event after the old `done` keeps late SSE clients from closing on it.
        await deps.events.append(input.job_id, { type: 'progress', job_id: input.job_id, file_id: input.file_id, progress: 0 });
        await queue.enqueue([task]);
      } catch (error) {
        // Not left pending with nothing to run it (every retry a 409): failed, so it can be retried.
        await failUnqueued(task, error);
        throw error;
      }
      return { job_id: input.job_id, file_id: input.file_id, model_task_id, status: 'processing' };
    },

    async openModel(jobId, fileId, access) {
      const file = fileOf(await readable(jobId, access), fileId);
      if (file.status !== 'completed') throw new AppError('NOT_FOUND', 'Model not ready');
      const size = await storedSize(file.model_key);
      if (file.model_key !== null && size !== null) {
        return { kind: 'file', stream: storage.createReadStream(file.model_key), size, filename: `${fileStem(file.filename, file.file_id)}.glb` };
      }
      if (file.remote_model_url) return { kind: 'redirect', url: file.remote_model_url };
      throw new AppError('NOT_FOUND', 'Model not found');
    },

    async openPreview(jobId, fileId, access) {
      const file = fileOf(await readable(jobId, access), fileId);
      const size = file.status === 'completed' ? await storedSize(file.preview_key) : null;
      if (file.preview_key === null || size === null) throw new AppError('NOT_FOUND', 'Preview not found');
      return { stream: storage.createReadStream(file.preview_key), size };
    },

    async listCompletedModels(jobId, access) {
      const job = await readable(jobId, access);
      const models: CompletedModel[] = [];
      for (const file of job.files) {
        if (file.status !== 'completed' || file.model_key === null) continue;
        if ((await storedSize(file.model_key)) === null) continue;
        models.push({ file_id: file.file_id, filename: file.filename, model_key: file.model_key });
      }
      if (models.length === 0) throw new AppError('NOT_FOUND', 'No completed models');
      return { job, models };
    },

    openBlob(key) {
      return storage.createReadStream(key);
    },

    processTask,

    abandonTask: createTaskAbandoner({ ...deps, transitions }),

    resumeUnfinished() {
      return requeueOrphans({ store, queue, logger });
    },

    counts() {
      return store.counts();
    },

    cleanup(olderThanHours) {
      return cleanupJobs({ ...deps, now }, olderThanHours);
    },
  };
}
