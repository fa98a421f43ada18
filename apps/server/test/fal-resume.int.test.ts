import { afterEach, describe, expect, it } from 'vitest';
import { FalProvider, type GenerationHooks, type GenerationRequest } from '@image2model/core';
import { startFalEmulator, type FalEmulator } from '@image2model/fal-emulator';
import { FAL_TEST_TUNING } from '@image2model/testing/fal';
import { makePhoto } from '@image2model/testing/images';

describe('FalProvider resuming a stored request id', () => {
  let fal: FalEmulator | null = null;
  afterEach(async () => {
    await fal?.close();
    fal = null;
  });

  function hooks(onTaskId: (id: string) => void = () => undefined): GenerationHooks & { ids: string[] } {
    const ids: string[] = [];
    return {
      ids,
      onTaskId: async (id) => {
        ids.push(id);
        onTaskId(id);
      },
      onProgress: () => undefined,
      onLog: () => undefined,
    };
  }

  async function request(existing: string | null, signal = new AbortController().signal): Promise<GenerationRequest> {
    return { job_id: 'batch_x', file_id: 'file_001', image: await makePhoto(), filename: 'a.png', face_limit: null, existing_task_id: existing, signal };
  }

  it('follows the stored request after an interruption instead of submitting again', async () => {
    fal = await startFalEmulator({ queueMs: 50, processingMs: 300 });
    const provider = new FalProvider({ apiKey: 'k', baseUrl: fal.url, ...FAL_TEST_TUNING });
    const stop = new AbortController();
    const first = hooks(() => stop.abort(new Error('worker stopping')));
    await expect(provider.generate(await request(null, stop.signal), first)).rejects.toThrow('worker stopping');
    expect(first.ids).toHaveLength(1);

    const resumed = await provider.generate(await request(first.ids[0] ?? null), hooks());
    expect(fal.submits).toHaveLength(1);
    expect(resumed.glb.equals((await fal.modelOf(first.ids[0] ?? '')) ?? Buffer.alloc(0))).toBe(true);
    expect(resumed.remote_model_url).toMatch(/^https:\/\/v3\.fal\.media\/files\//);
  });

  it('fails clearly, without submitting, when FAL no longer knows the stored request', async () => {
    fal = await startFalEmulator();
    const provider = new FalProvider({ apiKey: 'k', baseUrl: fal.url, ...FAL_TEST_TUNING });
    await expect(provider.generate(await request('6c0f3d0e-0000-4000-8000-000000000000'), hooks())).rejects.toMatchObject({
      code: 'FAL_API_ERROR',
      message: 'FAL no longer knows request 6c0f3d0e-0000-4000-8000-000000000000 (HTTP 404); generate the file again',
    });
    expect(fal.submits).toHaveLength(0);
  });

  it('submits files whose id was minted by the local generator (task_…): they were never FAL requests', async () => {
    fal = await startFalEmulator({ queueMs: 20, processingMs: 100 });
    const provider = new FalProvider({ apiKey: 'k', baseUrl: fal.url, ...FAL_TEST_TUNING });
    const h = hooks();
    await provider.generate(await request('task_abc123'), h);
    expect(fal.acceptedSubmits().map((s) => s.request_id)).toEqual(h.ids);
  });
});
