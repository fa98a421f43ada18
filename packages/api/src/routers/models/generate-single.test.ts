import type { GenerationResult, ModelProvider } from '@image2model/core';
import { FakeModelProvider } from '@image2model/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createCallerHarness, failureOf, OTHER_KEY, USER_KEY } from '../../test-support/callers.js';

/** Generates like the fake, but holds every generation until released (or aborted). */
function heldProvider() {
  const fake = new FakeModelProvider();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const provider: ModelProvider = {
    name: 'local',
    async generate(request, hooks): Promise<GenerationResult> {
      await Promise.race([released, new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }))]);
      return fake.generate(request, hooks);
    },
    health: () => fake.health(),
  };
  return { provider, release };
}

describe('models.generateSingle', () => {
  let h: Awaited<ReturnType<typeof createCallerHarness>> | undefined;
  afterEach(() => h?.cleanup());

  it('queues a finished file again for its owner, with a new task id', async () => {
    h = await createCallerHarness();
    const { job } = await h.upload(USER_KEY);
    await expect.poll(async () => (await h!.callAs(USER_KEY).status.get({ job_id: job.job_id })).status).toBe('completed');
    const before = await h.callAs(USER_KEY).status.get({ job_id: job.job_id });
    const answer = await h.callAs(USER_KEY).models.generateSingle({ job_id: job.job_id, file_id: 'file_001', face_limit: 5000 });
    expect(answer).toMatchObject({ job_id: job.job_id, file_id: 'file_001', status: 'processing' });
    expect(answer.model_task_id).not.toBe(before.files[0]?.model_task_id);
  });

  it('answers CONFLICT while the file is still being generated', async () => {
    const held = heldProvider();
    h = await createCallerHarness({ provider: held.provider });
    const { job } = await h.upload(USER_KEY);
    expect(await failureOf(h.callAs(USER_KEY).models.generateSingle({ job_id: job.job_id, file_id: 'file_001' }))).toMatchObject({ code: 'CONFLICT', status: 409 });
    held.release();
  });

  it('needs the owner key: no key or an unknown one is asked for a key, another key finds nothing', async () => {
    h = await createCallerHarness();
    const { job } = await h.upload(USER_KEY);
    expect(await failureOf(h.callAs(null).models.generateSingle({ job_id: job.job_id, file_id: 'file_001' }))).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
    expect(await failureOf(h.callAs('not-a-key').models.generateSingle({ job_id: job.job_id, file_id: 'file_001' }))).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
    expect(await failureOf(h.callAs(OTHER_KEY).models.generateSingle({ job_id: job.job_id, file_id: 'file_001' }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('refuses a face limit out of range, or a JSON string where a number belongs, as VALIDATION_ERROR', async () => {
    h = await createCallerHarness();
    const { job } = await h.upload(USER_KEY);
    for (const face_limit of [1, 10_000_000, '5000']) {
      const failure = await failureOf(h.callAs(USER_KEY).models.generateSingle({ job_id: job.job_id, file_id: 'file_001', face_limit } as never));
      expect(failure, String(face_limit)).toMatchObject({ code: 'VALIDATION_ERROR', status: 400, details: { issues: [expect.objectContaining({ field: 'face_limit' })] } });
    }
  });
});
