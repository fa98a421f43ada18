import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import type { ModelGenerator } from '../model-generator.js';
import type { GenerationHooks, GenerationRequest } from '../model-provider.js';
import { LocalProvider } from './local-provider.js';

type GenerateOptions = Parameters<ModelGenerator['generate']>[1];
type GenerateOutput = Awaited<ReturnType<ModelGenerator['generate']>>;

function fakeGenerator(run: (options: GenerateOptions) => Promise<GenerateOutput>) {
  const seen: { face_limit: number; image?: Buffer | string; views?: Parameters<ModelGenerator['generateMultiview']>[0] }[] = [];
  const generator: ModelGenerator = {
    async generate(image, options) {
      seen.push({ face_limit: options.face_limit, image });
      return run(options);
    },
    async generateMultiview(views, options) {
      seen.push({ face_limit: options.face_limit, views });
      return run(options);
    },
    warmUp: async () => undefined,
    close: async () => undefined,
  };
  return { generator, seen };
}

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    job_id: 'batch_20240315_123456_local0',
    file_id: 'file_001',
    image: Buffer.from('png'),
    filename: 'a.png',
    face_limit: null,
    existing_task_id: 'task_x',
    signal: new AbortController().signal,
    ...overrides,
  };
}

function recordingHooks() {
  const progress: number[] = [];
  const logs: [string, string | undefined][] = [];
  const hooks: GenerationHooks = {
    onTaskId: async () => undefined,
    onProgress: (p) => progress.push(p),
    onLog: (message, level) => logs.push([message, level]),
  };
  return { hooks, progress, logs };
}

const CARD_WARNING = { code: 'BACKGROUND_NOT_SEPARATED', message: 'Could not separate an object from the background' };

describe('LocalProvider', () => {
  it('hands the generator the stored photo by path, so its bytes are read off the main thread', async () => {
    const { generator, seen } = fakeGenerator(async () => ({ glb: Buffer.from('glb'), warnings: [], stats: { shape: 'inflated' as const } }));
    await new LocalProvider({ generator }).generate(request({ image: { path: '/data/jobs/x/uploads/file_001.png' } }), recordingHooks().hooks);
    expect(seen[0]?.image).toBe('/data/jobs/x/uploads/file_001.png');
  });

  it('hands a multiview file\'s views to generateMultiview, each by path, and reports the hull', async () => {
    const { generator, seen } = fakeGenerator(async () => ({ glb: Buffer.from('glb'), warnings: [], stats: { shape: 'hull' as const } }));
    const views = { front: { path: '/u/file_001.front.png' }, left: { path: '/u/file_001.left.jpg' }, back: Buffer.from('back') };
    const result = await new LocalProvider({ generator }).generate(request({ image: views.front, views, face_limit: 3000 }), recordingHooks().hooks);
    expect(seen).toEqual([{ face_limit: 3000, views: { front: '/u/file_001.front.png', left: '/u/file_001.left.jpg', back: Buffer.from('back') } }]);
    expect(result.shape).toBe('hull');
  });

  it('forwards rising integer progress, stage changes and warnings, and returns the model with its coded warnings and shape', async () => {
    const { generator, seen } = fakeGenerator(async ({ onProgress }) => {
      onProgress?.(0, 'segment');
      onProgress?.(12.6, 'segment');
      onProgress?.(12.9, 'mesh');
      onProgress?.(10, 'mesh');
      onProgress?.(140, 'texture');
      onProgress?.(100, 'done');
      return { glb: Buffer.from('glb'), preview: Buffer.from('png'), warnings: [CARD_WARNING], stats: { shape: 'card' as const } };
    });
    const provider = new LocalProvider({ generator });
    const { hooks, progress, logs } = recordingHooks();
    const result = await provider.generate(request(), hooks);
    expect(progress).toEqual([0, 13, 100]);
    expect(logs).toEqual([
      ['Generating: segment', 'info'],
      ['Generating: mesh', 'info'],
      ['Generating: texture', 'info'],
      [CARD_WARNING.message, 'warning'],
    ]);
    expect(result).toEqual({ glb: Buffer.from('glb'), preview: Buffer.from('png'), warnings: [CARD_WARNING], shape: 'card' });
    expect(seen.map((s) => s.face_limit)).toEqual([10_000]);
  });

  it('passes the requested face limit, or its configured default', async () => {
    const { generator, seen } = fakeGenerator(async () => ({ glb: Buffer.from('g'), warnings: [], stats: { shape: 'inflated' as const } }));
    await new LocalProvider({ generator }).generate(request({ face_limit: 500 }), recordingHooks().hooks);
    await new LocalProvider({ generator, defaultFaceLimit: 1234 }).generate(request(), recordingHooks().hooks);
    expect(seen.map((s) => s.face_limit)).toEqual([500, 1234]);
  });

  it('turns a generator failure into a permanent PROCESSING_ERROR without internals', async () => {
    const { generator } = fakeGenerator(async () => {
      throw new Error('sharp: Input file /tmp/x is missing');
    });
    const error = await new LocalProvider({ generator }).generate(request(), recordingHooks().hooks).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'PROCESSING_ERROR', retryable: false, message: 'Local generation failed: the image could not be turned into a model' });
    expect((error as AppError).message).not.toContain('/tmp');
  });

  it('keeps a public reason the generator gave', async () => {
    const { generator } = fakeGenerator(async () => {
      throw new AppError('VALIDATION_ERROR', 'No foreground object found', { retryable: true });
    });
    const error = await new LocalProvider({ generator }).generate(request(), recordingHooks().hooks).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROCESSING_ERROR', retryable: false, message: 'Local generation failed: No foreground object found' });
  });

  it("hands on the generator's invalid-image errors (they cross the worker boundary by name) as the photo's fault: VALIDATION_ERROR, its own words", async () => {
    const { generator } = fakeGenerator(async () => {
      throw Object.assign(new Error('The photo is damaged (truncated JPEG): upload a complete copy'), { name: 'InvalidImageError' });
    });
    const error = await new LocalProvider({ generator }).generate(request(), recordingHooks().hooks).catch((e: unknown) => e);
    // Not a PROCESSING_ERROR: the same photo can only fail again, and a client says "replace it", not "retry".
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', retryable: false, message: 'The photo is damaged (truncated JPEG): upload a complete copy' });
  });

  it("hands the generation's signal to the generator, and rejects with the abort's reason, not as a failed generation", async () => {
    let given: AbortSignal | undefined;
    const { generator } = fakeGenerator(
      (options) =>
        new Promise((_, reject) => {
          given = options.signal;
          // What the pool does on abort: its worker is terminated and the run rejects.
          options.signal?.addEventListener('abort', () => reject(new Error('Worker stopped before finishing its task')));
        }),
    );
    const controller = new AbortController();
    const generating = new LocalProvider({ generator }).generate(request({ signal: controller.signal }), recordingHooks().hooks);
    await new Promise((resolve) => setImmediate(resolve));
    expect(given).toBe(controller.signal);
    const reason = new Error('cancelled by the user');
    controller.abort(reason);
    await expect(generating).rejects.toBe(reason);
  });

  it('mints task ids and reports FAL as not configured', async () => {
    const { generator } = fakeGenerator(async () => ({ glb: Buffer.from('g'), warnings: [], stats: { shape: 'inflated' as const } }));
    const provider = new LocalProvider({ generator });
    expect(provider.name).toBe('local');
    expect(provider.mintTaskId()).toMatch(/^task_[0-9a-f]{24}$/);
    expect(provider.mintTaskId()).not.toBe(provider.mintTaskId());
    expect(await provider.health()).toBe('not_configured');
  });
});
