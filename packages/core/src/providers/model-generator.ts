/** What the local provider needs from `@image2model/mesh`'s worker pool (injected by the server). */
export interface ModelGenerator {
  generate(
    image: Buffer,
    /** `onProgress` reports 0–100 (any number; the provider rounds it) and the current stage's name. */
    options: { face_limit: number; onProgress?: (progress: number, stage: string) => void },
  ): Promise<{ glb: Buffer; preview?: Buffer; warnings: string[] }>;
  warmUp(): Promise<void>;
  close(): Promise<void>;
}
