import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallerHarness, failureOf, OTHER_KEY, USER_KEY } from '../../test-support/callers.js';

// The harness's job service has no outbox: nothing is ever exhausted here, so the count is 0;
// redelivery itself is shown over HTTP in apps/server/test/webhooks/webhook-deliveries.int.test.ts.
describe('jobs.redeliverWebhooks', () => {
  let h: Awaited<ReturnType<typeof createCallerHarness>>;
  beforeEach(async () => {
    h = await createCallerHarness();
  });
  afterEach(() => h.cleanup());

  it("answers the owner's key with how many deliveries were queued again", async () => {
    const { job } = await h.upload(USER_KEY);
    expect(await h.callAs(USER_KEY).jobs.redeliverWebhooks({ job_id: job.job_id })).toEqual({ job_id: job.job_id, redelivered: 0 });
  });

  it("answers another key's job as an unknown one (404), and needs a key", async () => {
    const { job } = await h.upload(USER_KEY);
    expect(await failureOf(h.callAs(OTHER_KEY).jobs.redeliverWebhooks({ job_id: job.job_id }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await failureOf(h.callAs(null).jobs.redeliverWebhooks({ job_id: job.job_id }))).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
  });
});
