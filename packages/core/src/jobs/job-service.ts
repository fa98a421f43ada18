import type { Readable } from 'node:stream';
import type { JobCounts } from './job-store.js';
import type { JobState } from '../job-state.js';
import type { JobWithFiles, TripoOptions, ViewSet } from './job.js';
import type { JobSummary } from './job-summary.js';
import type { JobPage, ListJobsInput } from './list-jobs.js';
import type { AbandonHandler, FileTask, TaskContext } from './job-queue.js';
import type { ConvertedModel, ConvertedModelRequest } from './converted-models.js';
import type { PrintReport } from '../print-report.js';
import type { JobWebhookDeliveries, RedeliverWebhooksResult } from '../webhooks/webhook-deliveries.js';

/** Who is asking: the hash of their API key and/or a job's session id from the query. */
export interface Access {
  /** sha256 of the caller's API key; null for a session-only request. */
  owner: string | null;
  session_id: string | null;
}

export type ImageFormat = 'jpg' | 'png';

export interface UploadedImage {
  /** The client's file name, as sent (display only). */
  filename: string;
  /** A temp file on the same disk as the data directory; moved in on success. */
  temp_path: string;
  format: ImageFormat;
}

/** Several photos of one object, for one multiview file (its `filename` is the front's). */
export interface UploadedViews {
  views: ViewSet<UploadedImage>;
}

/** What one file of a new job is made from: one photo, or several views of one object. */
export type UploadedFile = UploadedImage | UploadedViews;

export interface GenerateSingleInput {
  job_id: string;
  file_id: string;
  /** undefined = keep the file's previous face limit. */
  face_limit?: number | null;
  /** Tripo options to change; each one left out keeps the file's previous value. */
  tripo_options?: TripoOptions;
  /** Replaces the job's webhook URL for the events that follow; undefined keeps it. */
  webhook_url?: string;
}

export interface CancelFilesInput {
  job_id: string;
  /** Files to cancel; undefined = every file of the job. */
  file_ids?: string[];
}

export interface CancelFilesResult {
  job_id: string;
  status: JobState;
  /** The files this call cancelled (pending or processing ones); files already final are left as they are. */
  cancelled_file_ids: string[];
}

export interface RetryFilesInput {
  job_id: string;
  /** Files to retry; undefined = every failed or cancelled file of the job. */
  file_ids?: string[];
  /** undefined = keep each file's previous face limit. */
  face_limit?: number | null;
  /** Replaces the job's webhook URL for the events that follow; undefined keeps it. */
  webhook_url?: string;
}

export interface RetryFilesResult {
  job_id: string;
  status: 'processing';
  retried_file_ids: string[];
}

export interface GenerateSingleResult {
  job_id: string;
  file_id: string;
  model_task_id: string | null;
  status: 'processing';
}

export type ModelDownload =
  | { kind: 'file'; stream: Readable; size: number; filename: string }
  | { kind: 'redirect'; url: string };

export interface CompletedModel {
  file_id: string;
  filename: string;
  model_key: string;
}

export interface CleanupResult {
  cleaned_files: number;
  freed_space_mb: number;
}

/** The use cases every transport calls. Unknown or invisible jobs and files throw NOT_FOUND. */
export interface CleanupOptions {
  /**
   * Keep a job that still has pending webhook deliveries (the retention sweep: it is deleted by a
   * later sweep, once they are delivered or exhausted). /admin/cleanup deletes them with the job.
   * @default false
   */
  keepPendingWebhooks?: boolean;
}

export interface JobService {
  /**
   * One file per entry of `images` (a multiview entry is one file, and counts one against the
   * active-files limit). VALIDATION_ERROR (`details.field: "webhook_url"`) for a webhook URL the
   * server may not send to.
   */
  createJob(input: { owner: string; face_limit: number | null; images: UploadedFile[]; tripo_options?: TripoOptions; webhook_url?: string }): Promise<JobWithFiles>;
  getJob(jobId: string, access: Access): Promise<JobWithFiles>;
  /** Needs the owner's key; CONFLICT while the file is pending or processing. */
  generateSingle(input: GenerateSingleInput, access: Access): Promise<GenerateSingleResult>;
  /**
   * Needs the owner's key. Pending and processing files become `cancelled` (a running generation is
   * stopped, its provider task cancelled where the provider can); NOT_FOUND names unknown file ids.
   */
  cancelFiles(input: CancelFilesInput, access: Access): Promise<CancelFilesResult>;
  /** Needs the owner's key. Regenerates failed and cancelled files; CONFLICT (`nothing_to_retry`) when there are none. */
  retryFiles(input: RetryFilesInput, access: Access): Promise<RetryFilesResult>;
  /**
   * One page of the caller's own jobs, newest first (an admin key sees only its own; a session id
   * lists nothing: AUTHENTICATION_REQUIRED). VALIDATION_ERROR for a cursor this key was not given.
   */
  listJobs(input: ListJobsInput, access: Access): Promise<JobPage>;
  /** Needs the owner's key: the job's webhook deliveries, in the order queued (no bodies). */
  listWebhookDeliveries(jobId: string, access: Access): Promise<JobWebhookDeliveries>;
  /** Needs the owner's key: every exhausted delivery of the job pending again; answers how many. */
  redeliverWebhooks(jobId: string, access: Access): Promise<RedeliverWebhooksResult>;
  /** The job at a glance, with its expiry under this service's retention. */
  summarize(job: JobWithFiles): JobSummary;
  openModel(jobId: string, fileId: string, access: Access): Promise<ModelDownload>;
  /**
   * A completed model in another format: at the default size converted once and stored beside the
   * model, at another `heightMm` converted per request (docs/formats.md). NOT_FOUND when only the
   * provider's copy exists; PROCESSING_ERROR when the GLB cannot be read.
   */
  openConvertedModel(jobId: string, fileId: string, access: Access, request: ConvertedModelRequest): Promise<ConvertedModel>;
  /**
   * A completed model's print-readiness report (docs/formats.md): at the default size computed once
   * and stored beside the model, at another `heightMm` computed per request. NOT_FOUND as openConvertedModel.
   */
  printReport(jobId: string, fileId: string, access: Access, request: { heightMm?: number }): Promise<PrintReport>;
  openPreview(jobId: string, fileId: string, access: Access): Promise<{ stream: Readable; size: number }>;
  /** Our stored copies of every completed model (NOT_FOUND when there are none). */
  listCompletedModels(jobId: string, access: Access): Promise<{ job: JobWithFiles; models: CompletedModel[] }>;
  openBlob(key: string): Readable;
  /** The worker's task handler (the queue calls it). */
  processTask(task: FileTask, context: TaskContext): Promise<void>;
  /** The queue gave a task up: its file fails (PROCESSING_ERROR) with its event. */
  abandonTask: AbandonHandler;
  /**
   * Queues every pending or processing file that has no live queue entry (after a restart, and
   * periodically: work whose entry was lost between the queue's state and ours). Returns how many.
   */
  resumeUnfinished(): Promise<number>;
  counts(): Promise<JobCounts>;
  cleanup(olderThanHours: number, opts?: CleanupOptions): Promise<CleanupResult>;
}
