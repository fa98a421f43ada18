import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallerHarness, failureOf, OTHER_KEY, USER_KEY } from '../../test-support/callers.js';

// The harness's job service has no outbox, so every list is empty here; the deliveries themselves
// are shown over HTTP in apps/server/test/webhooks/webhook-deliveries.int.test.ts.
describe('jobs.webhooks', () => {
  let h: Awaited<ReturnType<typeof createCallerHarness>>;
  beforeEach(async () => {
    h = await createCallerHarness();
  });
  afterEach(() => h.cleanup());

  it("answers the owner's key with the job's deliveries", async () => {
    const { job } = await h.upload(USER_KEY);
    expect(await h.callAs(USER_KEY).jobs.webhooks({ job_id: job.job_id })).toEqual({ job_id: job.job_id, deliveries: [] });
  });

  it("answers another key's job as an unknown one (404), and needs a key (a session_id is not enough)", async () => {
    const { job } = await h.upload(USER_KEY);
    expect(await failureOf(h.callAs(OTHER_KEY).jobs.webhooks({ job_id: job.job_id }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await failureOf(h.callAs(USER_KEY).jobs.webhooks({ job_id: 'batch_20240101_000000_nojob1' }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await failureOf(h.callAs(null).jobs.webhooks({ job_id: job.job_id }))).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
  });

  it('refuses an input without a job id (400)', async () => {
    expect(await failureOf(h.callAs(USER_KEY).jobs.webhooks({} as never))).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
  });
});
