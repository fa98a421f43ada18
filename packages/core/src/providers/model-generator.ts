import type { FileWarning, ModelShape } from '../jobs/file-warnings.js';

/** What the local provider needs from `@image2model/mesh`'s worker pool (injected by the server). */
export interface ModelGenerator {
  generate(
    /** The photo's bytes, or the path of its file (the pool's thread reads it, not the caller). */
    image: Buffer | string,
    /**
     * `onProgress` reports 0–100 (any number; the provider rounds it) and the current stage's name.
     * Aborting `signal` stops the generation at once (the pool terminates its worker thread) and
     * rejects it with the signal's reason.
     */
    options: { face_limit: number; onProgress?: (progress: number, stage: string) => void; signal?: AbortSignal },
  ): Promise<{ glb: Buffer; preview?: Buffer; warnings: FileWarning[]; stats: { shape: ModelShape } }>;
  warmUp(): Promise<void>;
  close(): Promise<void>;
}
