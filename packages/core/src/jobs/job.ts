/** The domain records. Field names are the wire's (snake_case), so mapping stays trivial. */

import type { FileStatus } from '../job-state.js';
import type { FileWarning, ModelShape } from './file-warnings.js';

/**
 * FAL Tripo v2.5 options a user may set (sent to FAL only when given; the local generator ignores
 * them). `quad` is deliberately absent: it makes Tripo return FBX, and this service delivers GLB.
 */
export interface TripoOptions {
  texture?: 'no' | 'standard' | 'HD';
  pbr?: boolean;
  seed?: number;
  texture_seed?: number;
  texture_alignment?: 'original_image' | 'geometry';
  orientation?: 'default' | 'align_image';
  auto_size?: boolean;
}

/** The sides of one object a multiview file is made from (front 0°, left 90°, back 180°, right 270°, as FAL's Tripo names them). */
export const VIEW_NAMES = ['front', 'left', 'back', 'right'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/** One value per view of a multiview file: the front always, the others when given. */
export type ViewSet<T> = { front: T } & Partial<Record<Exclude<ViewName, 'front'>, T>>;

/** The same views, each value mapped (views not given stay absent). */
export function mapViews<A, B>(views: ViewSet<A>, map: (value: A, view: ViewName) => B): ViewSet<B> {
  const mapped: Partial<Record<ViewName, B>> = {};
  for (const view of VIEW_NAMES) {
    const value = views[view];
    if (value !== undefined) mapped[view] = map(value, view);
  }
  return mapped as ViewSet<B>;
}

/** One stored view of a multiview file. */
export interface StoredView {
  /** The name the client uploaded, as given (never used as a path). */
  filename: string;
  /** Storage key of the photo, under the job's uploads. */
  key: string;
}

export interface FileError {
  code: string;
  message: string;
}

export interface JobFileRecord {
  file_id: string;
  /** The name the client uploaded, as given (never used as a path). */
  filename: string;
  status: FileStatus;
  /** 0–100, an integer that never goes backwards within one generation. */
  progress: number;
  /** The provider's id (FAL `request_id` or a local `task_…`); null until it exists. */
  model_task_id: string | null;
  /** The face limit this file was (or is being) generated with; null = the provider's default. */
  face_limit: number | null;
  /** Tripo options this file is generated with; absent (records before them, or none given) = FAL's defaults. */
  tripo_options?: TripoOptions;
  error: FileError | null;
  /** Storage key of the uploaded image (a multiview file's front view). */
  image_key: string;
  /**
   * The photos of a file made from several views of one object (`filename` is the front's); absent
   * for a file made from one photo (and in records written before multiview).
   */
  views?: ViewSet<StoredView>;
  /** Storage key of our copy of the model, once completed. */
  model_key: string | null;
  /** Storage key of the preview PNG, when the provider made one. */
  preview_key: string | null;
  /** The provider's own model URL (e.g. FAL's CDN), used only when our copy is missing. */
  remote_model_url: string | null;
  /** Bumped by every (re)generation, so work for an older generation can never overwrite a newer one. */
  generation: number;
  /** What the user should know about how the model was made (e.g. `BACKGROUND_NOT_SEPARATED`: a flat card). */
  warnings: FileWarning[];
  /** How the local generator made the model's depth; null for FAL's models and files not completed. */
  shape: ModelShape | null;
  created_at: string;
  updated_at: string;
}

export interface JobRecord {
  job_id: string;
  session_id: string;
  /** sha256 of the API key that created the job. */
  owner: string;
  /** The batch's requested face limit; null = the provider's default. */
  face_limit: number | null;
  /** The batch's Tripo options, when any were given. */
  tripo_options?: TripoOptions;
  /**
   * Where the job's webhook events go: the upload's `webhook_url`, else the server's WEBHOOK_URL at
   * creation; a retry or generate-single naming one replaces it. Null (or absent: jobs made before
   * webhooks) = none.
   */
  webhook_url?: string | null;
  /**
   * The id of the last log event whose webhook was queued (or passed over, with no URL): the
   * webhook feeder reads the log after it. Absent until the job's first final event.
   */
  webhook_cursor?: string;
  created_at: string;
  updated_at: string;
}

export interface JobWithFiles {
  job: JobRecord;
  files: JobFileRecord[];
}
