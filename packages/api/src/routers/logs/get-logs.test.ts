import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createCallerHarness, failureOf, USER_KEY } from '../../test-support/callers.js';

describe('logs.get', () => {
  let h: Awaited<ReturnType<typeof createCallerHarness>>;
  beforeEach(async () => {
    h = await createCallerHarness();
  });
  afterEach(() => h.cleanup());

  it('gives an admin the entries with their count, reading the level case-insensitively (warn is WARNING)', async () => {
    const answer = await h.callAs(ADMIN_KEY).logs.get({ level: 'warn' });
    expect(answer).toEqual({ logs: [expect.objectContaining({ message: 'hello' })], total_lines: 1 });
    expect(h.logQueries).toEqual([{ lines: 100, level: 'WARNING' }]);
  });

  it('is refused to a user key, and refuses an unknown level or a date that is not one', async () => {
    expect(await failureOf(h.callAs(USER_KEY).logs.get({}))).toMatchObject({ code: 'INVALID_API_KEY', status: 403 });
    expect(await failureOf(h.callAs(null).logs.get({}))).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
    expect(await failureOf(h.callAs('not-a-key').logs.get({}))).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
    expect(await failureOf(h.callAs(ADMIN_KEY).logs.get({ level: 'LOUD' }))).toMatchObject({ code: 'VALIDATION_ERROR', details: { issues: [expect.objectContaining({ field: 'level' })] } });
    expect(await failureOf(h.callAs(ADMIN_KEY).logs.get({ since: '2024-02-30T25:00:00Z' }))).toMatchObject({ code: 'VALIDATION_ERROR', details: { issues: [expect.objectContaining({ field: 'since' })] } });
    expect(h.logQueries).toEqual([]);
  });
});
