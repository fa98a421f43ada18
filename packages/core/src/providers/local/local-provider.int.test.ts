// Runs the real generator pool (worker threads load @image2model/mesh's dist/): build mesh first; the root `npm test` does.
import { createGeneratorPool, type GeneratorPool } from '@image2model/mesh';
import { mugWithShadow } from '@image2model/testing/synthetic-photos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationRequest } from '../model-provider.js';
import { LocalProvider } from './local-provider.js';

describe('LocalProvider on the real generator pool', () => {
  let pool: GeneratorPool;
  let provider: LocalProvider;
  let photo: Buffer;

  beforeAll(async () => {
    pool = createGeneratorPool({ size: 1 });
    provider = new LocalProvider({ generator: pool });
    photo = await mugWithShadow(2048);
    await provider.warmUp();
  });
  afterAll(() => provider.close());

  const request = (signal: AbortSignal, face_limit = 50_000): GenerationRequest => ({
    job_id: 'batch_20240315_123456_local0',
    file_id: 'file_001',
    image: photo,
    filename: 'mug.png',
    face_limit,
    existing_task_id: 'task_x',
    signal,
  });

  it('stops a running generation within a few hundred ms of its abort, and its worker is free for the next file', async () => {
    const controller = new AbortController();
    const stages: string[] = [];
    let started = (): void => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const generating = provider.generate(request(controller.signal), {
      onTaskId: async () => undefined,
      onProgress: () => started(),
      onLog: (message) => stages.push(message),
    });
    await running;
    const abortedAt = performance.now();
    controller.abort(new Error('cancelled by the user'));
    // The abort's own reason, not a PROCESSING_ERROR: the caller decides what it means for the file.
    await expect(generating).rejects.toThrow('cancelled by the user');
    expect(performance.now() - abortedAt).toBeLessThan(300);
    expect(stages.at(-1)).not.toBe('Generating: done');

    // The one worker's slot is free at once: the next file runs on a fresh thread, start to end.
    const next = await provider.generate(request(new AbortController().signal, 2_000), { onTaskId: async () => undefined, onProgress: () => undefined, onLog: () => undefined });
    expect(next.glb.subarray(0, 4).toString('latin1')).toBe('glTF');
  });

  it('does not start a generation whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled before it started'));
    await expect(provider.generate(request(controller.signal), { onTaskId: async () => undefined, onProgress: () => undefined, onLog: () => undefined })).rejects.toThrow(
      'cancelled before it started',
    );
  });
});
