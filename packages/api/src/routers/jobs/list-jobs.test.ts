import { FakeModelProvider } from '@image2model/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createCallerHarness, failureOf, OTHER_KEY, USER_KEY } from '../../test-support/callers.js';

describe('jobs.list', () => {
  let h: Awaited<ReturnType<typeof createCallerHarness>>;
  let provider: FakeModelProvider;
  beforeEach(async () => {
    provider = new FakeModelProvider();
    provider.hold(); // every job stays processing until the test cancels it
    h = await createCallerHarness({ provider });
  });
  afterEach(async () => {
    provider.release();
    await h.cleanup();
  });

  async function uploads(key: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await h.upload(key)).job.job_id);
    return ids;
  }

  it("lists the caller's own jobs newest first, with the list item's fields, a page at a time", async () => {
    const mine = await uploads(USER_KEY, 3);
    await uploads(OTHER_KEY, 1);
    const page = await h.callAs(USER_KEY).jobs.list({});
    expect(page.jobs.map((j) => j.job_id)).toEqual([...mine].reverse());
    expect(page.next_cursor).toBeNull();
    expect(Object.keys(page.jobs[0] ?? {})).toEqual([
      'job_id', 'status', 'created_at', 'updated_at', 'expires_at', 'total_files', 'processed_files', 'failed_files', 'cancelled_files', 'progress',
    ]);
    const first = await h.callAs(USER_KEY).jobs.list({ limit: 2 });
    expect(first.jobs.map((j) => j.job_id)).toEqual([mine[2], mine[1]]);
    const second = await h.callAs(USER_KEY).jobs.list({ limit: 2, cursor: first.next_cursor ?? '' });
    expect(second).toMatchObject({ jobs: [{ job_id: mine[0] }], next_cursor: null });
  });

  it('filters by status (an array, or comma-separated) and by creation time', async () => {
    const [a, b, c] = await uploads(USER_KEY, 3);
    await h.callAs(USER_KEY).jobs.cancel({ job_id: a as string });
    const list = (input: Parameters<ReturnType<typeof h.callAs>['jobs']['list']>[0]) => h.callAs(USER_KEY).jobs.list(input).then((p) => p.jobs.map((j) => j.job_id));
    expect(await list({ status: ['cancelled'] })).toEqual([a]);
    expect(await list({ status: 'processing' as never })).toEqual([c, b]);
    expect(await list({ status: 'completed,cancelled' as never })).toEqual([a]);
    const created = (await h.callAs(USER_KEY).jobs.list({})).jobs.find((j) => j.job_id === b)?.created_at as string;
    expect(await list({ created_before: created })).toEqual([a]);
    expect(await list({ created_after: created })).toEqual([c]);
  });

  it('refuses bad values with VALIDATION_ERROR', async () => {
    const call = h.callAs(USER_KEY).jobs;
    for (const input of [{ limit: 0 }, { limit: 101 }, { status: ['finished'] }, { created_after: 'yesterday' }, { cursor: 'not-a-cursor' }]) {
      expect(await failureOf(call.list(input as never)), JSON.stringify(input)).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    }
  });

  it("refuses a cursor changed by hand, or another key's, and never lists another key's jobs", async () => {
    await uploads(USER_KEY, 2);
    const others = await uploads(OTHER_KEY, 2);
    const mine = await h.callAs(USER_KEY).jobs.list({ limit: 1 });
    const cursor = mine.next_cursor as string;
    expect(await failureOf(h.callAs(OTHER_KEY).jobs.list({ cursor }))).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    const [payload, mac] = cursor.split('.') as [string, string];
    const position = JSON.parse(Buffer.from(payload, 'base64url').toString()) as [string, string];
    const forged = `${Buffer.from(JSON.stringify(['9999-01-01T00:00:00.000Z', position[1]])).toString('base64url')}.${mac}`;
    expect(await failureOf(h.callAs(USER_KEY).jobs.list({ cursor: forged }))).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    expect((await h.callAs(OTHER_KEY).jobs.list({})).jobs.map((j) => j.job_id)).toEqual([...others].reverse());
  });

  it('shows an admin key only its own jobs, and needs a key', async () => {
    await uploads(USER_KEY, 1);
    expect(await h.callAs(ADMIN_KEY).jobs.list({})).toEqual({ jobs: [], next_cursor: null });
    expect(await failureOf(h.callAs(null).jobs.list({}))).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
  });
});
