import { AppError } from '../errors.js';
import { createJobId, createSessionId, FILE_ID_PATTERN, fileIdFor, JOB_ID_PATTERN } from '../ids.js';
import type { Logger } from '../logger.js';
import type { CancelOutcome, ModelProvider } from '../providers/model-provider.js';
import type { BlobStorage } from '../storage/blob-storage.js';
import { canRead, isOwner } from './access.js';
import { cleanupJobs } from './cleanup-jobs.js';
import type { FileTransitions } from './file-transitions.js';
import type { FileError, JobFileRecord, JobRecord, JobWithFiles, TripoOptions } from './job.js';
import type { JobEvents } from './job-events.js';
import type { FileTask, JobQueue, TaskIdentity } from './job-queue.js';
import type { Access, CompletedModel, JobService } from './job-service.js';
import type { JobStore } from './job-store.js';
import { createTaskAbandoner } from './abandon-task.js';
import type { PhotoUrls } from './open-photos.js';
import { createTaskProcessor } from './process-task.js';
import { requeueOrphans } from './requeue-orphans.js';
import { retryWrite } from './retry-write.js';
import { createSequentialTransitions } from './sequential-transitions.js';
import { fileStem, storageKeys } from './storage-keys.js';
import { photosOf, storedViews } from './uploaded-photos.js';
import { summarizeJob } from './job-summary.js';
import { listJobs } from './list-jobs.js';
import { PROVIDER_CANCEL_TIMEOUT_MS, type TaskCancellation } from './task-cancellation.js';
import { deriveJobState, FINAL_FILE_STATUSES } from '../job-state.js';
import { DEFAULT_MAX_ACTIVE_FILES_PER_KEY } from '../limits.js';
import { admitActiveFiles } from './active-files-limit.js';
import type { WebhookOutbox } from '../webhooks/webhook-outbox.js';
import { listWebhookDeliveries, redeliverWebhooks } from '../webhooks/webhook-deliveries.js';
import { acceptWebhookUrl, NO_WEBHOOKS, webhookUrlForNewJob, type WebhookSubscriptionConfig } from '../webhooks/webhook-subscription.js';
import type { WebhookFeeder } from '../webhooks/feed-webhooks.js';
import { withWebhookFeeding } from '../webhooks/feeding-transitions.js';
import { createConvertedModels, type ModelConverter } from './converted-models.js';

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
  /** Where cancels reach running generations (every process's worker). */
  cancellation?: TaskCancellation;
  /** How long a task a cancel stopped waits for the cancel to be recorded. @default CANCEL_RECORD_WAIT_MS */
  cancelRecordWaitMs?: number;
  /** Hours a finished job is kept (RETENTION_HOURS), for its `expires_at`; 0 = forever. @default 0 */
  retentionHours?: number;
  /** MAX_ACTIVE_FILES_PER_KEY: pending + processing files one owner may have (see admitActiveFiles). @default 200 */
  maxActiveFilesPerOwner?: number;
  /** Which webhook URLs jobs may name, and the default one. @default NO_WEBHOOKS */
  webhooks?: WebhookSubscriptionConfig;
  /** Where jobs' webhook deliveries are queued and recorded (the runtime owns and closes it). */
  webhookOutbox?: WebhookOutbox;
  /**
   * DOWNLOAD_MODE=redirect: a stored model is handed out as a presigned URL of the storage (when it
   * can sign one) instead of streamed through this process.
   */
  modelRedirect?: ModelRedirect;
  /** Queues a job's webhooks after each of its final transitions (see withWebhookFeeding); none: nothing is sent. */
  webhookFeeder?: WebhookFeeder;
  /** Turns GLBs into STL, 3MF, OBJ, PLY and USDZ (openConvertedModel) and print reports (printReport); none: those answer SERVICE_UNAVAILABLE. */
  converter?: ModelConverter;
  /** S3_PUBLIC_READS=presigned: the provider gets presigned photo URLs, not local copies (see PhotoUrls). */
  photoUrls?: PhotoUrls | undefined;
}

export interface ModelRedirect {
  /** How long the signed URL is valid. */
  expiresInSeconds: number;
  /** The Content-Disposition header for a download name (the one every download route uses). */
  contentDisposition: (filename: string) => string;
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
  const stateChanges = deps.transitions ?? createSequentialTransitions(deps);
  const transitions = deps.webhookFeeder ? withWebhookFeeding(stateChanges, deps.webhookFeeder, logger) : stateChanges;
  const processTask = createTaskProcessor({ ...deps, transitions });
  const retentionHours = deps.retentionHours ?? 0;
  const maxActiveFiles = deps.maxActiveFilesPerOwner ?? DEFAULT_MAX_ACTIVE_FILES_PER_KEY;
  const admit = (owner: string, requested: number) => admitActiveFiles(store, owner, requested, maxActiveFiles);
  const webhooks = deps.webhooks ?? NO_WEBHOOKS;
  const conversions = deps.converter ? createConvertedModels({ storage, converter: deps.converter, logger }) : null;

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

  /** The job, for its owner's key only: anyone else (a session id included) gets NOT_FOUND. */
  async function owned(jobId: string, access: Access): Promise<JobWithFiles> {
    const found = await lookUp(jobId);
    if (!found || !isOwner(found.job, access)) throw new AppError('NOT_FOUND', 'Job not found');
    return found;
  }

  /** The named files of the job (each once, in the job's order), or every file; NOT_FOUND lists unknown ids. */
  function filesNamed(job: JobWithFiles, fileIds: readonly string[] | undefined): JobFileRecord[] {
    if (fileIds === undefined) return job.files;
    const wanted = new Set(fileIds);
    const unknown = [...wanted].filter((id) => !job.files.some((f) => f.file_id === id));
    if (unknown.length > 0) throw new AppError('NOT_FOUND', `Unknown file ids: ${unknown.join(', ')}`, { details: { file_ids: unknown } });
    return job.files.filter((f) => wanted.has(f.file_id));
  }

  /** Stops the worker running this generation, in whichever process it runs (best effort). */
  async function stopWorker(task: TaskIdentity): Promise<void> {
    await deps.cancellation?.announce(task).catch((error: unknown) => {
      logger.warn({ err: error, job_id: task.job_id, file_id: task.file_id }, 'Telling the workers of a cancel failed; the task ends at its next mark');
    });
  }

  /**
   * Cancels the provider's task of a file being cancelled, and says for its log whether it may
   * still be billed. Null for a pending file with nothing submitted anywhere.
   */
  async function stopProviderTask(file: JobFileRecord): Promise<Pick<CancelOutcome, 'state' | 'message' | 'may_be_billed'> | null> {
    if (provider.cancel && file.model_task_id !== null) {
      return provider.cancel(file.model_task_id, { signal: AbortSignal.timeout(PROVIDER_CANCEL_TIMEOUT_MS) });
    }
    if (file.status !== 'processing') return null;
    return { state: 'cancel_requested', may_be_billed: false, message: `Generation stopped; the ${provider.name} generator bills nothing` };
  }

  /**
   * Starts a new generation of a final file (completed, failed or cancelled) with the face limit and
   * Tripo options given (undefined keeps the file's). Null when the file is pending or processing.
   */
  async function restart(jobId: string, owner: string, file: JobFileRecord, opts: { face_limit?: number | null; tripo_options?: TripoOptions }) {
    const changed = given(opts.tripo_options);
    const restarted = await store.restartFile(
      jobId,
      file.file_id,
      {
        face_limit: opts.face_limit === undefined ? file.face_limit : opts.face_limit,
        model_task_id: provider.mintTaskId?.() ?? null,
        // New options are merged into the file's, in the same atomic write as the restart.
        ...(changed ? { tripo_options: { ...file.tripo_options, ...changed } } : {}),
      },
      { status: FINAL_FILE_STATUSES },
    );
    if (!restarted) return null;
    const { generation, model_task_id } = restarted.file;
    logger.info({ job_id: jobId, file_id: file.file_id, generation, was: file.status }, 'File queued again');
    return { task: { job_id: jobId, file_id: file.file_id, generation, owner }, model_task_id, was: file.status };
  }

  /** Sets a job's webhook URL; one that had none first skips its log, so the URL gets only what follows. */
  async function subscribeFromNow(jobId: string, url: string): Promise<boolean> {
    if ((await store.webhookUrlOf(jobId)) === null) await deps.webhookFeeder?.skipToEnd(jobId);
    return store.setWebhookUrl(jobId, url);
  }

  /**
   * Queues restarted files. Each gets an event first: the job is processing again, and an event
   * after the old `done` keeps late SSE clients from closing on it. A paid provider says that a
   * cancelled file's new generation is new work. A webhook URL the request named replaces the
   * job's before the work is queued, so the events of that work go to it.
   */
  async function queueRestarted(restarted: { task: FileTask; was: JobFileRecord['status'] }[], webhookUrl?: string): Promise<void> {
    try {
      const jobId = restarted[0]?.task.job_id;
      if (webhookUrl !== undefined && jobId !== undefined && (await subscribeFromNow(jobId, webhookUrl))) {
        logger.info({ job_id: jobId }, 'Webhook URL replaced');
      }
      for (const { task, was } of restarted) {
        await deps.events.append(task.job_id, { type: 'progress', job_id: task.job_id, file_id: task.file_id, progress: 0 });
        if (was === 'cancelled' && provider.name === 'fal') {
          const message = 'Generating a cancelled file again submits a new FAL request, billed as new work';
          await deps.events.append(task.job_id, { type: 'log', job_id: task.job_id, file_id: task.file_id, message, level: 'warning' });
        }
      }
      await queue.enqueue(restarted.map(({ task }) => task));
    } catch (error) {
      // Not left pending with nothing to run them (every retry a 409): failed, so they can be retried.
      for (const { task } of restarted) await failUnqueued(task, error);
      throw error;
    }
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
  async function failUnqueued(task: TaskIdentity, cause: unknown): Promise<void> {
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
    async createJob({ owner, face_limit, images, tripo_options, webhook_url }) {
      if (images.length === 0) throw new AppError('VALIDATION_ERROR', 'No files uploaded');
      // The effective URL is stored, so the job's status shows where its events will go.
      const webhookUrl = await webhookUrlForNewJob(webhook_url, webhooks);
      // Before any photo is moved in: a refused upload stores nothing.
      await admit(owner, images.length);
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
        webhook_url: webhookUrl,
        created_at: timestamp,
        updated_at: timestamp,
      };
      const planned = images.map((image, index) => {
        const file_id = fileIdFor(index);
        const photos = photosOf(job_id, file_id, image);
        // Front first: a multiview file's name and `image_key` (the photo download) are its front's.
        const [front] = photos;
        if (front === undefined) throw new AppError('VALIDATION_ERROR', 'No files uploaded');
        const file: JobFileRecord = {
          file_id,
          filename: front.filename,
          status: 'pending',
          progress: 0,
          model_task_id: provider.mintTaskId?.() ?? null,
          face_limit,
          ...(options ? { tripo_options: { ...options } } : {}),
          error: null,
          image_key: front.key,
          ...('views' in image ? { views: storedViews(photos) } : {}),
          model_key: null,
          preview_key: null,
          remote_model_url: null,
          generation: 1,
          warnings: [],
          shape: null,
          created_at: timestamp,
          updated_at: timestamp,
        };
        return { file, photos };
      });
      const files = planned.map((p) => p.file);
      try {
        // Every photo durable before the record naming it is committed; their syncs overlap. A new
        // job's keys hold nothing yet.
        const moved = await Promise.allSettled(planned.flatMap(({ photos }) => photos.map(({ key, temp_path }) => storage.moveIn(key, temp_path, { fresh: true }))));
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
        await queue.enqueue(files.map((f) => ({ job_id, file_id: f.file_id, generation: f.generation, owner })));
      } catch (error) {
        // The client gets an error and never learns the job id: no job may be left behind.
        await withdrawJob(job_id, error);
        throw error;
      }
      return { job, files };
    },

    getJob: readable,

    async generateSingle(input, access) {
      const found = await owned(input.job_id, access);
      const file = fileOf(found, input.file_id);
      const webhookUrl = input.webhook_url === undefined ? undefined : await acceptWebhookUrl(input.webhook_url, webhooks);
      const busy = (): AppError =>
        new AppError('CONFLICT', `File ${input.file_id} is already being generated; wait until it completes or fails`);
      if (file.status === 'pending' || file.status === 'processing') throw busy();
      await admit(found.job.owner, 1);
      const restarted = await restart(input.job_id, found.job.owner, file, { face_limit: input.face_limit, ...(input.tripo_options ? { tripo_options: input.tripo_options } : {}) });
      if (!restarted) throw busy();
      await queueRestarted([restarted], webhookUrl);
      return { job_id: input.job_id, file_id: input.file_id, model_task_id: restarted.model_task_id, status: 'processing' };
    },

    async cancelFiles(input, access) {
      const found = await owned(input.job_id, access);
      const cancelled: string[] = [];
      for (const named of filesNamed(found, input.file_ids)) {
        // Read again: cancelling an earlier file freed a slot, and a pending one may be running now.
        const file = (await store.getFile(input.job_id, named.file_id)) ?? named;
        if (file.status !== 'pending' && file.status !== 'processing') continue;
        const task = { job_id: input.job_id, file_id: file.file_id, generation: file.generation };
        // The worker stops first, so it cannot record the provider's cancel as a failure.
        if (file.status === 'processing') await stopWorker(task);
        const stopped = await stopProviderTask(file);
        if (stopped) {
          // Before the `cancelled` event and `done`, so a follower of the stream sees it.
          const level = stopped.may_be_billed ? 'warning' : 'info';
          await deps.events.append(input.job_id, { type: 'log', job_id: input.job_id, file_id: file.file_id, message: stopped.message, level }).catch((error: unknown) => {
            logger.warn({ err: error, job_id: input.job_id, file_id: file.file_id }, "Recording a cancelled file's log line failed");
          });
        }
        // Its `cancelled` event, then `done` once this was the job's last unfinished file.
        const marked = await transitions.finish(input.job_id, file.file_id, { status: 'cancelled' }, { generation: file.generation, status: ['pending', 'processing'] }, { type: 'cancelled' });
        if (!marked) continue; // it finished (or was restarted) meanwhile: left as it is
        cancelled.push(file.file_id);
        // A pending file may have been picked up in the meantime.
        await stopWorker(task);
        logger.info({ job_id: input.job_id, file_id: file.file_id, generation: file.generation, was: file.status, provider_task: stopped?.state }, 'File cancelled');
      }
      const after = await lookUp(input.job_id);
      return { job_id: input.job_id, status: deriveJobState((after ?? found).files), cancelled_file_ids: cancelled };
    },

    async retryFiles(input, access) {
      const found = await owned(input.job_id, access);
      const retryable = filesNamed(found, input.file_ids).filter((file) => file.status === 'failed' || file.status === 'cancelled');
      const webhookUrl = input.webhook_url === undefined ? undefined : await acceptWebhookUrl(input.webhook_url, webhooks);
      if (retryable.length > 0) await admit(found.job.owner, retryable.length);
      const restarted = [];
      for (const file of retryable) {
        const started = await restart(input.job_id, found.job.owner, file, { face_limit: input.face_limit });
        if (started) restarted.push(started);
      }
      if (restarted.length === 0) {
        throw new AppError('CONFLICT', 'Nothing to retry: no file of this job (of those named) has failed or been cancelled', { details: { reason: 'nothing_to_retry' } });
      }
      await queueRestarted(restarted, webhookUrl);
      return { job_id: input.job_id, status: 'processing', retried_file_ids: restarted.map(({ task }) => task.file_id) };
    },

    listWebhookDeliveries: async (jobId, access) => listWebhookDeliveries(deps.webhookOutbox, (await owned(jobId, access)).job.job_id),
    redeliverWebhooks: async (jobId, access) => redeliverWebhooks(deps.webhookOutbox, (await owned(jobId, access)).job.job_id),

    listJobs(input, access) {
      return listJobs({ store, retentionHours }, input, access);
    },
    summarize(job) {
      return summarizeJob(job, retentionHours);
    },

    async openModel(jobId, fileId, access) {
      const file = fileOf(await readable(jobId, access), fileId);
      if (file.status !== 'completed') throw new AppError('NOT_FOUND', 'Model not ready');
      const size = await storedSize(file.model_key);
      if (file.model_key !== null && size !== null) {
        const filename = `${fileStem(file.filename, file.file_id)}.glb`;
        if (deps.modelRedirect && storage.presignGet) {
          const { expiresInSeconds, contentDisposition } = deps.modelRedirect;
          return { kind: 'redirect', url: await storage.presignGet(file.model_key, { expiresInSeconds, contentDisposition: contentDisposition(filename), contentType: 'model/gltf-binary' }) };
        }
        return { kind: 'file', stream: storage.createReadStream(file.model_key), size, filename };
      }
      if (file.remote_model_url) return { kind: 'redirect', url: file.remote_model_url };
      throw new AppError('NOT_FOUND', 'Model not found');
    },

    async openConvertedModel(jobId, fileId, access, request) {
      const file = fileOf(await readable(jobId, access), fileId);
      if (file.status !== 'completed') throw new AppError('NOT_FOUND', 'Model not ready');
      if (!conversions) throw new AppError('SERVICE_UNAVAILABLE', 'Model conversions are not available in this process');
      return conversions.open(jobId, file, request);
    },

    async printReport(jobId, fileId, access, request) {
      const file = fileOf(await readable(jobId, access), fileId);
      if (file.status !== 'completed') throw new AppError('NOT_FOUND', 'Model not ready');
      if (!conversions) throw new AppError('SERVICE_UNAVAILABLE', 'Print reports are not available in this process');
      return conversions.printReport(jobId, file, request.heightMm);
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

    cleanup(olderThanHours, opts) {
      return cleanupJobs({ ...deps, now }, olderThanHours, opts);
    },
  };
}
