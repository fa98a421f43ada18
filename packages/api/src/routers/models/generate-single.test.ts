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

  describe('with an idempotency key', () => {
    it('queues once: the same call again gets the first answer back, and a changed call under the key is refused', async () => {
      h = await createCallerHarness();
      const { job } = await h.upload(USER_KEY);
      await expect.poll(async () => (await h!.callAs(USER_KEY).status.get({ job_id: job.job_id })).status).toBe('completed');
      const call = { job_id: job.job_id, file_id: 'file_001', face_limit: 5000, idempotency_key: 'regen-1' };
      const first = await h.callAs(USER_KEY).models.generateSingle(call);
      // Run again, it would answer 409 (the file is queued) or a new task id: a replay runs nothing.
      expect(await h.callAs(USER_KEY).models.generateSingle(call)).toEqual(first);
      expect(await failureOf(h.callAs(USER_KEY).models.generateSingle({ ...call, face_limit: 6000 }))).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 422 });
    });

    it("reads the REST header, marks a replay, and keeps each owner's keys apart", async () => {
      h = await createCallerHarness();
      const { job } = await h.upload(USER_KEY);
      await expect.poll(async () => (await h!.callAs(USER_KEY).status.get({ job_id: job.job_id })).status).toBe('completed');
      let replays = 0;
      const rest = { header: 'rest-key-1', markReplayed: () => void replays++ };
      const call = { job_id: job.job_id, file_id: 'file_001' };
      const first = await h.callAs(USER_KEY, rest).models.generateSingle(call);
      expect(replays).toBe(0);
      // The input field with the same key is the same request.
      expect(await h.callAs(USER_KEY, rest).models.generateSingle({ ...call, idempotency_key: 'rest-key-1' })).toEqual(first);
      expect(replays).toBe(1);
      // Another key's owner with the same Idempotency-Key is another request: its job is not found.
      expect(await failureOf(h.callAs(OTHER_KEY, rest).models.generateSingle(call))).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('refuses a malformed key, or a header and a field that differ, as VALIDATION_ERROR', async () => {
      h = await createCallerHarness();
      const { job } = await h.upload(USER_KEY);
      const call = { job_id: job.job_id, file_id: 'file_001' };
      for (const idempotency_key of ['', 'x'.repeat(256), 'caf\u00e9', 'line\nbreak']) {
        expect(await failureOf(h.callAs(USER_KEY).models.generateSingle({ ...call, idempotency_key })), JSON.stringify(idempotency_key)).toMatchObject({
          code: 'VALIDATION_ERROR',
          details: { issues: [expect.objectContaining({ field: 'idempotency_key' })] },
        });
      }
      const header = (value: string) => ({ header: value, markReplayed: () => undefined });
      expect(await failureOf(h.callAs(USER_KEY, header('x'.repeat(256))).models.generateSingle(call))).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'Idempotency-Key' } });
      expect(await failureOf(h.callAs(USER_KEY, header('a')).models.generateSingle({ ...call, idempotency_key: 'b' }))).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'idempotency_key' } });
    });
  });
});
