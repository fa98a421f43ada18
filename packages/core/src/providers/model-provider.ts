import type { TripoOptions } from '../jobs/job.js';
import type { PhotoSource } from './photo-source.js';

export interface GenerationRequest {
  job_id: string;
  file_id: string;
  /** The uploaded photo: the job service hands over the file it is stored in. */
  image: PhotoSource;
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
  warnings: string[];
}

export type ProviderHealth = 'reachable' | 'unreachable' | 'not_configured';

/** Port: turns one photo into one GLB. Failures are AppErrors (`retryable` for transient ones). */
export interface ModelProvider {
  readonly name: 'local' | 'fal';
  /** Providers whose ids are ours to mint (local) give one at enqueue time; FAL's come on submit. */
  mintTaskId?(): string;
  generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationResult>;
  health(): Promise<ProviderHealth>;
  warmUp?(): Promise<void>;
  close?(): Promise<void>;
}
