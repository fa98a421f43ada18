import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallerHarness, failureOf, OTHER_KEY, PUBLIC_URL, USER_KEY } from '../../test-support/callers.js';

describe('status.get', () => {
  let h: Awaited<ReturnType<typeof createCallerHarness>>;
  beforeEach(async () => {
    h = await createCallerHarness();
  });
  afterEach(() => h.cleanup());

  it("shows the owner its job, with the spec's fields and links carrying the session", async () => {
    const { job } = await h.upload(USER_KEY, ['a.png', 'b.png']);
    const status = await h.callAs(USER_KEY).status.get({ job_id: job.job_id });
    expect(status).toMatchObject({ job_id: job.job_id, session_id: job.session_id, total_files: 2 });
    expect(status.files.map((f) => f.file_id)).toEqual(['file_001', 'file_002']);
    for (const file of status.files) {
      if (file.status === 'completed') expect(file.model_url).toBe(`${PUBLIC_URL}/api/v1/download/${job.job_id}/${file.file_id}/model?session_id=${job.session_id}`);
      else expect(file.model_url).toBeNull();
    }
  });

  it("shows the job to a caller with only its session_id, and to no other key (404, as for an unknown job)", async () => {
    const { job } = await h.upload(USER_KEY);
    expect((await h.callAs(null).status.get({ job_id: job.job_id, session_id: job.session_id })).job_id).toBe(job.job_id);
    expect(await failureOf(h.callAs(OTHER_KEY).status.get({ job_id: job.job_id }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await failureOf(h.callAs(null).status.get({ job_id: job.job_id, session_id: 'sess_wrong' }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await failureOf(h.callAs(USER_KEY).status.get({ job_id: 'batch_20240101_000000_nojob1' }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it("lets the owner's key read its job even beside a wrong session_id", async () => {
    const { job } = await h.upload(USER_KEY);
    expect((await h.callAs(USER_KEY).status.get({ job_id: job.job_id, session_id: 'sess_wrong' })).job_id).toBe(job.job_id);
  });

  it('asks for a key when there is neither a key nor a session_id, and refuses a wrong key even beside a valid session_id', async () => {
    const { job } = await h.upload(USER_KEY);
    expect(await failureOf(h.callAs(null).status.get({ job_id: job.job_id }))).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
    expect(await failureOf(h.callAs('not-a-key').status.get({ job_id: job.job_id, session_id: job.session_id }))).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
  });

  it('answers input of the wrong type with VALIDATION_ERROR naming the field', async () => {
    const failure = await failureOf(h.callAs(USER_KEY).status.get({ job_id: 42 } as never));
    expect(failure).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    expect(failure.details).toMatchObject({ issues: [expect.objectContaining({ field: 'job_id' })] });
  });
});
