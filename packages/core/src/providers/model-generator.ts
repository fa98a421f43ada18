import type { FileWarning, ModelShape } from '../jobs/file-warnings.js';
import type { ViewSet } from '../jobs/job.js';

/** What one generation reports as it goes, and how to stop it. */
export interface GeneratorRunOptions {
  face_limit: number;
  /** Reports 0–100 (any number; the provider rounds it) and the current stage's name. */
  onProgress?: (progress: number, stage: string) => void;
  /** Aborting it stops the generation at once (the pool terminates its worker thread) and rejects it with the signal's reason. */
  signal?: AbortSignal;
}

/** What the generator makes of one photo or of several views. */
export interface GeneratorOutput {
  glb: Buffer;
  preview?: Buffer;
  warnings: FileWarning[];
  stats: { shape: ModelShape };
}

/** What the local provider needs from `@image2model/mesh`'s worker pool (injected by the server). */
export interface ModelGenerator {
  generate(
    /** The photo's bytes, or the path of its file (the pool's thread reads it, not the caller). */
    image: Buffer | string,
    options: GeneratorRunOptions,
  ): Promise<GeneratorOutput>;
  /** One model from several views of one object (`front` and a side at least), each as bytes or a path. */
  generateMultiview(views: ViewSet<Buffer | string>, options: GeneratorRunOptions): Promise<GeneratorOutput>;
  warmUp(): Promise<void>;
  close(): Promise<void>;
}
