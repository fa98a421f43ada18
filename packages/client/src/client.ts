import type { TRPCClient } from '@trpc/client';
import { resolveConfig, type Image2ModelClientOptions } from './config.js';
import { downloadAll, downloadModel, downloadPhoto, type AllDownloadOptions, type Download, type DownloadOptions, type ModelDownloadOptions } from './downloads.js';
import { reconnectingEvents, watchJob, type EventsOptions, type WatchOptions } from './events.js';
import { createProcedureProxy, createUntypedClient, mapCallError } from './trpc.js';
import { uploadImages, type UploadOptions, type UploadSource } from './upload.js';
import { uploadMultiview, type MultiviewSources } from './upload-multiview.js';
import type { ClientRouter, UploadResponse } from './generated/api-types.js';
import type { JobDoneEvent, JobListItem, JobListQuery, JobPage, JobStatus, PrintReport, TrackedJobEvent } from './types.js';

export type WaitForJobOptions = WatchOptions;

/** The helpers for what tRPC cannot carry: files in, models out, and resumable event streams. */
export interface Image2ModelHelpers {
  /** The server origin every request goes to. */
  readonly baseUrl: string;
  /**
   * Uploads images as one batch job (`POST /api/v1/upload/batch`) and queues every file.
   * @example await client.upload(['chair.jpg', 'table.png'], { faceLimit: 5000 })  // Node paths
   * @example await client.upload(input.files)                                      // a browser FileList
   */
  upload(files: UploadSource | Iterable<UploadSource>, options?: UploadOptions): Promise<UploadResponse>;
  /**
   * Uploads photos of one object from several sides as one job with one file, `file_001`
   * (`POST /api/v1/upload/multiview`), whose model is made from every view. `front` and a `left` or
   * `right` view are required (a side view gives depth), `back` is optional; the answer's file lists
   * its `views`. Options as `upload()`'s.
   * @example await client.uploadMultiview({ front: 'mug-front.jpg', left: 'mug-left.jpg' }, { faceLimit: 5000 })
   */
  uploadMultiview(views: MultiviewSources, options?: UploadOptions): Promise<UploadResponse>;
  /**
   * The job's events as an async iterator that ends after `done`, resuming from the last event
   * id when the connection drops.
   * @example for await (const event of client.events(job_id)) if (event.type === 'progress') console.log(event.file_id, event.progress);
   */
  events(jobId: string, options?: EventsOptions): AsyncGenerator<TrackedJobEvent, void, undefined>;
  /** Calls `onEvent` for each event (resuming like `events()`), and resolves with the `done` event. */
  watch(jobId: string, options?: WatchOptions): Promise<JobDoneEvent>;
  /** Waits until every file of the job has completed or failed, then returns the job's status. */
  waitForJob(jobId: string, options?: WaitForJobOptions): Promise<JobStatus>;
  /**
   * Every job of the caller's key, newest first, fetched a page at a time with `jobs.list`'s
   * cursor: each job that existed when the walk began comes exactly once.
   * @example for await (const job of client.allJobs({ status: ['failed', 'partial'] })) console.log(job.job_id, job.status);
   */
  allJobs(query?: JobListQuery, options?: { signal?: AbortSignal }): AsyncGenerator<JobListItem, void, undefined>;
  /**
   * Streams one file's model: the GLB, or with `format` STL, 3MF, OBJ (a ZIP), PLY or USDZ (`heightMm` sizes STL and 3MF).
   * @example const stl = await client.downloadModel(jobId, 'file_001', { format: 'stl', heightMm: 80 });
   */
  downloadModel(jobId: string, fileId: string, options?: ModelDownloadOptions): Promise<Download>;
  /** Streams a ZIP of every completed model of the job (in `format`, default GLB), with `manifest.json`. */
  downloadAll(jobId: string, options?: AllDownloadOptions): Promise<Download>;
  /** Streams one file's photo as it was uploaded, from the upload on. */
  downloadPhoto(jobId: string, fileId: string, options?: DownloadOptions): Promise<Download>;
  /**
   * A completed model's print-readiness report (watertight, manifold, volume, size in mm, the
   * verdict…) at `heightMm` (default: as the STL download, longest side capped at 100 mm).
   * @example const { verdict, volume_mm3 } = await client.printReport(jobId, 'file_001', { heightMm: 80 });
   */
  printReport(jobId: string, fileId: string, options?: PrintReportOptions): Promise<PrintReport>;
}

export interface PrintReportOptions {
  /** The model's height in the print, in millimetres. */
  heightMm?: number | undefined;
  /** The job's session id, instead of the API key. */
  sessionId?: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The typed tRPC proxy over `/trpc` (`client.status.get.query({ job_id })`,
 * `client.models.generateSingle.mutate(…)`, `client.status.onEvents.subscribe(…)`, …) plus the
 * {@link Image2ModelHelpers}. Every failure is an `Image2ModelError`.
 */
export type Image2ModelClient = TRPCClient<ClientRouter> & Image2ModelHelpers;

const UNTYPED_CLIENT = Symbol.for('trpc_untypedClient');

/**
 * Creates a client for one Image2Model server.
 *
 * @example
 * const client = createImage2ModelClient({ baseUrl: 'http://localhost:8000', apiKey: process.env.IMAGE2MODEL_API_KEY });
 * const { job_id } = await client.upload(['chair.jpg']);
 * const job = await client.waitForJob(job_id);
 */
export function createImage2ModelClient(options: Image2ModelClientOptions): Image2ModelClient {
  const config = resolveConfig(options);
  const untyped = createUntypedClient(config);
  const procedures = createProcedureProxy(untyped, config) as Record<string, unknown>;
  const parts = { untyped, config };

  const helpers: Image2ModelHelpers = {
    baseUrl: config.origin,
    upload: (files, uploadOptions) => uploadImages(config, files, uploadOptions),
    uploadMultiview: (views, uploadOptions) => uploadMultiview(config, views, uploadOptions),
    events: (jobId, eventOptions) => reconnectingEvents(parts, jobId, eventOptions),
    watch: (jobId, watchOptions) => watchJob(parts, jobId, watchOptions),
    async waitForJob(jobId, waitOptions = {}) {
      await watchJob(parts, jobId, waitOptions);
      const input = { job_id: jobId, ...(waitOptions.sessionId ? { session_id: waitOptions.sessionId } : {}) };
      return untyped.query('status.get', input, { signal: waitOptions.signal }).catch((error: unknown) => {
        throw mapCallError(error, config);
      }) as Promise<JobStatus>;
    },
    async *allJobs(query = {}, listOptions = {}) {
      let cursor: string | null = null;
      do {
        const input: Record<string, unknown> = { ...query, ...(cursor === null ? {} : { cursor }) };
        const page = (await untyped.query('jobs.list', input, { signal: listOptions.signal }).catch((error: unknown) => {
          throw mapCallError(error, config);
        })) as JobPage;
        yield* page.jobs;
        cursor = page.next_cursor;
      } while (cursor !== null);
    },
    downloadModel: (jobId, fileId, downloadOptions) => downloadModel(config, jobId, fileId, downloadOptions),
    downloadAll: (jobId, downloadOptions) => downloadAll(config, jobId, downloadOptions),
    downloadPhoto: (jobId, fileId, downloadOptions) => downloadPhoto(config, jobId, fileId, downloadOptions),
    async printReport(jobId, fileId, reportOptions = {}) {
      const input = {
        job_id: jobId,
        file_id: fileId,
        ...(reportOptions.heightMm === undefined ? {} : { height_mm: reportOptions.heightMm }),
        ...(reportOptions.sessionId ? { session_id: reportOptions.sessionId } : {}),
      };
      return untyped.query('models.printReport', input, { signal: reportOptions.signal }).catch((error: unknown) => {
        throw mapCallError(error, config);
      }) as Promise<PrintReport>;
    },
  };

  return new Proxy(helpers, {
    get(target, key, receiver) {
      if (key in target) return Reflect.get(target, key, receiver) as unknown;
      if (key === UNTYPED_CLIENT) return untyped;
      // Not a thenable, and nothing else a runtime probes for is a procedure.
      if (typeof key !== 'string' || key === 'then' || key === 'toJSON') return undefined;
      return procedures[key];
    },
  }) as Image2ModelClient;
}
