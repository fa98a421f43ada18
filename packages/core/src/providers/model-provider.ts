import type { FileWarning, ModelShape } from '../jobs/file-warnings.js';
import type { TripoOptions, ViewSet } from '../jobs/job.js';
import type { PhotoSource } from './photo-source.js';

export interface GenerationRequest {
  job_id: string;
  file_id: string;
  /** The uploaded photo (a multiview file's front): the job service hands over the file it is stored in. */
  image: PhotoSource;
  /** Every view of a file made from several photos of one object (`front` is `image`); absent for one photo. */
  views?: ViewSet<PhotoSource>;
  /** The uploaded file's name (for providers that want a content type or a name). */
  filename: string;
  /** null = the provider's default. */
  face_limit: number | null;
  /** FAL Tripo options the user gave (absent or empty = FAL's defaults); other providers ignore them. */
  tripo_options?: TripoOptions;
  /** The provider task this file already has: resume it instead of submitting again. */
  existing_task_id: string | null;
  signal: AbortSignal;
}

export interface GenerationHooks {
  /** Called the moment the provider's task id exists; must be persisted before paid work goes on. */
  onTaskId(taskId: string): Promise<void>;
  /** An integer 0–100 derived only from what the provider reports. */
  onProgress(progress: number): void;
  onLog(message: string, level?: 'info' | 'warning'): void;
}

export interface GenerationResult {
  glb: Buffer;
  preview?: Buffer;
  /** The provider's own URL for the model (e.g. FAL's CDN), kept as a fallback. */
  remote_model_url?: string;
  /** What the user should know about how the model was made (the file's `warnings`). */
  warnings: FileWarning[];
  /** How the local generator made the depth; null for providers that do not say (FAL). */
  shape: ModelShape | null;
}

export type ProviderHealth = 'reachable' | 'unreachable' | 'not_configured';

/**
 * What cancelling a provider task did, as far as the provider can tell:
 * - `not_submitted`: the provider never received this task (no provider task id yet, or an id we
 *   minted ourselves): nothing to stop, nothing billed.
 * - `removed_from_queue`: the task was still waiting in the provider's queue and was removed: it
 *   never runs and is not billed.
 * - `cancel_requested`: the task was running; the provider was asked to stop it. It may still be
 *   billed, and may still complete (a result that arrives later is the caller's to discard).
 * - `already_finished`: the task had finished before the cancel reached it: nothing to stop; it is
 *   billed as a finished task would be.
 * - `unknown`: the provider could not be reached, refused, or does not know the task: it may still
 *   run and be billed.
 */
export type CancelState = 'not_submitted' | 'removed_from_queue' | 'cancel_requested' | 'already_finished' | 'unknown';

export interface CancelOutcome {
  state: CancelState;
  /** False only when the provider's own answer rules out a charge (`not_submitted`, `removed_from_queue`). */
  may_be_billed: boolean;
  /** One sentence for the file's log: what happened to the task and whether it may still be billed. */
  message: string;
}

export interface CancelOptions {
  /** Bounds how long the cancel may take; when it fires first, the outcome is `unknown`. */
  signal?: AbortSignal;
}

/** Port: turns one photo into one GLB. Failures are AppErrors (`retryable` for transient ones). */
export interface ModelProvider {
  readonly name: 'local' | 'fal';
  /** Providers whose ids are ours to mint (local) give one at enqueue time; FAL's come on submit. */
  mintTaskId?(): string;
  generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationResult>;
  /**
   * Stops the provider's own work on a task when a user cancels the file: `taskId` is the file's
   * stored provider task id (`model_task_id`). Call it after aborting the generation's
   * `request.signal` (which stops following the task here); aborting the signal alone never cancels
   * the task at the provider, because shutdown aborts it too and the file resumes after a restart.
   * Any process may call it (it does not need the process running the generation). It never throws:
   * every failure, the provider's or the network's, is an `unknown` outcome saying so.
   *
   * Absent on providers whose work runs only in this process (the local generator): there, aborting
   * `request.signal` is the whole cancel (the generator's worker thread is stopped) and nothing is billed.
   */
  cancel?(taskId: string, options?: CancelOptions): Promise<CancelOutcome>;
  health(): Promise<ProviderHealth>;
  warmUp?(): Promise<void>;
  close?(): Promise<void>;
}
