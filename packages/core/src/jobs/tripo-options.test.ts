import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '../testing/fake-model-provider.js';
import type { GenerationHooks, GenerationRequest, GenerationResult } from '../providers/model-provider.js';
import { createServiceHarness, OWNER } from '../testing/service-harness.js';

type Harness = Awaited<ReturnType<typeof createServiceHarness>>;

/** A FAL-like fake that keeps each request it was given. */
class RecordingProvider extends FakeModelProvider {
  readonly requests: GenerationRequest[] = [];
  constructor() {
    super({ name: 'fal', mintTaskIds: false });
  }
  override generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationResult> {
    this.requests.push(request);
    return super.generate(request, hooks);
  }
}

describe('Tripo options on jobs and files', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createServiceHarness();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  /** Waits for the provider's `calls`-th call, then for every file of the job to be finished. */
  async function settle(provider: RecordingProvider, calls: number, store?: { get(id: string): Promise<{ files: { status: string }[] } | null> }, jobId?: string) {
    await provider.waitForCalls(calls);
    for (let i = 0; store && jobId && i < 200; i++) {
      const job = await store.get(jobId);
      if (job?.files.every((f) => f.status === 'completed' || f.status === 'failed')) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('stores no options when none were given, and the provider gets none', async () => {
    const provider = new RecordingProvider();
    const { service, store } = await h.start({ provider });
    const { job } = await h.upload(service, ['b.png', 'c.png'], 800);
    const stored = await store.get(job.job_id);
    expect(stored?.job).not.toHaveProperty('tripo_options');
    expect(stored?.files.map((f) => 'tripo_options' in f)).toEqual([false, false]);
    await settle(provider, 2, store, job.job_id);
    expect(provider.requests.map((r) => [r.face_limit, r.tripo_options])).toEqual([
      [800, undefined],
      [800, undefined],
    ]);
  });

  it('stores batch options, merges generate-single changes over them, and passes both to the provider', async () => {
    const provider = new RecordingProvider();
    const { service, store } = await h.start({ provider });
    const { writeFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const temp_path = path.join(h.uploadTempDir, 'upload-options');
    await writeFile(temp_path, 'image bytes');
    const { job, files } = await service.createJob({
      owner: OWNER,
      face_limit: null,
      images: [{ filename: 'x.png', temp_path, format: 'png' }],
      tripo_options: { texture: 'HD', seed: 42, pbr: undefined },
    });
    expect(job.tripo_options).toEqual({ texture: 'HD', seed: 42 });
    expect(files[0]?.tripo_options).toEqual({ texture: 'HD', seed: 42 });
    await settle(provider, 1, store, job.job_id);
    expect(provider.requests[0]).toMatchObject({ face_limit: null, tripo_options: { texture: 'HD', seed: 42 }, existing_task_id: null });

    await service.generateSingle({ job_id: job.job_id, file_id: 'file_001', tripo_options: { seed: 7, auto_size: true } }, { owner: OWNER, session_id: null });
    await settle(provider, 2, store, job.job_id);
    expect(provider.requests[1]?.tripo_options).toEqual({ texture: 'HD', seed: 7, auto_size: true });
    expect((await store.getFile(job.job_id, 'file_001'))?.tripo_options).toEqual({ texture: 'HD', seed: 7, auto_size: true });

    // Nothing given: the file keeps what it had.
    await service.generateSingle({ job_id: job.job_id, file_id: 'file_001', face_limit: 900 }, { owner: OWNER, session_id: null });
    await settle(provider, 3, store, job.job_id);
    expect(provider.requests[2]).toMatchObject({ face_limit: 900, tripo_options: { texture: 'HD', seed: 7, auto_size: true } });
  });
});
