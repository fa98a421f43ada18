import { AppError } from '../../errors.js';
import { createTaskId } from '../../ids.js';
import { mapViews } from '../../jobs/job.js';
import type { GeneratorOutput, ModelGenerator } from '../model-generator.js';
import type { GenerationHooks, GenerationRequest, GenerationResult, ModelProvider, ProviderHealth } from '../model-provider.js';
import { localPhoto } from '../photo-source.js';

export interface LocalProviderOptions {
  /** `@image2model/mesh`'s generator (a worker pool), injected by the composition root. */
  generator: ModelGenerator;
  /** Used when neither the batch nor generate-single gave one. @default 10_000 */
  defaultFaceLimit?: number;
}

/**
 * The offline provider: runs the local generator in-process. Its task ids are ours (`task_…`),
 * minted at enqueue time, so `existing_task_id` never means "resume" here.
 *
 * It has no `cancel`: nothing runs outside this process and nothing is billed, so aborting the
 * generation's `request.signal` is the whole cancel. The generator's worker thread is terminated at
 * once (not left to finish), and `generate` rejects with the signal's reason.
 */
export class LocalProvider implements ModelProvider {
  readonly name = 'local' as const;
  private readonly generator: ModelGenerator;
  private readonly defaultFaceLimit: number;

  constructor(opts: LocalProviderOptions) {
    this.generator = opts.generator;
    this.defaultFaceLimit = opts.defaultFaceLimit ?? 10_000;
  }

  mintTaskId(): string {
    return createTaskId();
  }

  async generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationResult> {
    request.signal.throwIfAborted();
    let reported = -1;
    let stage: string | null = null;
    const onProgress = (progress: number, nextStage: string): void => {
      if (nextStage && nextStage !== stage && nextStage !== 'done') {
        stage = nextStage;
        hooks.onLog(`Generating: ${nextStage}`, 'info');
      }
      const value = Math.min(100, Math.max(0, Math.round(progress)));
      if (Number.isFinite(value) && value > reported) {
        reported = value;
        hooks.onProgress(value);
      }
    };
    let result: GeneratorOutput;
    try {
      const options = { face_limit: request.face_limit ?? this.defaultFaceLimit, onProgress, signal: request.signal };
      // Several views of one object are carved into one visual hull; one photo is inflated.
      result = request.views
        ? await this.generator.generateMultiview(mapViews(request.views, localPhoto), options)
        : await this.generator.generate(localPhoto(request.image), options);
    } catch (error) {
      // Cancelled, timed out or shutting down: the caller decides what that means for the file.
      if (request.signal.aborted) throw request.signal.reason;
      // The photo itself is unusable (damaged, cut off, over the pixel limit): the same photo can only
      // fail again, so it is the caller's input that is wrong, in the generator's own words.
      if (error instanceof Error && error.name === 'InvalidImageError') throw new AppError('VALIDATION_ERROR', error.message, { cause: error, retryable: false });
      throw new AppError('PROCESSING_ERROR', describeFailure(error), { cause: error, retryable: false });
    }
    for (const warning of result.warnings) hooks.onLog(warning.message, 'warning');
    return {
      glb: result.glb,
      ...(result.preview ? { preview: result.preview } : {}),
      warnings: result.warnings.map(({ code, message }) => ({ code, message })),
      shape: result.stats.shape,
    };
  }

  /** The local provider never talks to FAL: readiness reports `fal_api: "not_configured"`. */
  async health(): Promise<ProviderHealth> {
    return 'not_configured';
  }

  warmUp(): Promise<void> {
    return this.generator.warmUp();
  }

  close(): Promise<void> {
    return this.generator.close();
  }
}

/**
 * A message fit for the file's `error`. Public AppErrors explain what is wrong with the image;
 * anything else could carry internals, so it gets a generic sentence (the cause is logged by the
 * worker). The generator's `InvalidImageError` (its name survives the worker boundary) is handled
 * before, as the photo's fault.
 */
function describeFailure(error: unknown): string {
  if (error instanceof AppError && error.isPublic) return `Local generation failed: ${error.message}`;
  return 'Local generation failed: the image could not be turned into a model';
}
