import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createCallerHarness, failureOf, USER_KEY } from '../../test-support/callers.js';

describe('admin.systemInfo and admin.cleanup', () => {
  let h: Awaited<ReturnType<typeof createCallerHarness>>;
  beforeEach(async () => {
    h = await createCallerHarness();
  });
  afterEach(() => h.cleanup());

  it("are refused to a user key (INVALID_API_KEY, 403), and to no key or an unknown one (AUTHENTICATION_REQUIRED, 401)", async () => {
    expect(await failureOf(h.callAs(USER_KEY).admin.systemInfo())).toMatchObject({ code: 'INVALID_API_KEY', status: 403 });
    expect(await failureOf(h.callAs(USER_KEY).admin.cleanup({ older_than_hours: 1 }))).toMatchObject({ code: 'INVALID_API_KEY', status: 403 });
    for (const key of [null, 'not-a-key']) {
      expect(await failureOf(h.callAs(key).admin.systemInfo()), String(key)).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
      expect(await failureOf(h.callAs(key).admin.cleanup({ older_than_hours: 1 })), String(key)).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
    }
  });

  it("give an admin key the job counts and a cleanup's result", async () => {
    const { job } = await h.upload(USER_KEY);
    await expect.poll(async () => (await h.callAs(USER_KEY).status.get({ job_id: job.job_id })).status).toBe('completed');
    expect((await h.callAs(ADMIN_KEY).admin.systemInfo()).jobs).toMatchObject({ active: 0, completed: 1 });
    const result = await h.callAs(ADMIN_KEY).admin.cleanup({ older_than_hours: 0 });
    expect(result.cleaned_files).toBeGreaterThan(0);
    expect(await failureOf(h.callAs(USER_KEY).status.get({ job_id: job.job_id }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a negative age, or one given as a string, as VALIDATION_ERROR', async () => {
    for (const older_than_hours of [-1, '24']) {
      expect(await failureOf(h.callAs(ADMIN_KEY).admin.cleanup({ older_than_hours } as never)), String(older_than_hours)).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    }
  });
});
