import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallerHarness, failureOf, OTHER_KEY, PUBLIC_URL, USER_KEY } from '../../test-support/callers.js';

describe('status.onEvents', () => {
  let h: Awaited<ReturnType<typeof createCallerHarness>>;
  beforeEach(async () => {
    h = await createCallerHarness();
  });
  afterEach(() => h.cleanup());

  /** A caller yields tRPC's tracked envelopes, `[id, data, marker]`: what the SSE transport writes as `id:` and `data:`. */
  async function collect(iterable: AsyncIterable<unknown>) {
    const items: { id: string; data: { type: string; model_url?: string } }[] = [];
    for await (const item of iterable) {
      const [id, data] = item as [string, { type: string; model_url?: string }];
      items.push({ id, data });
    }
    return items;
  }

  it("streams a job's events to its end, each with its id, completed ones with an absolute model URL", async () => {
    const { job } = await h.upload(USER_KEY);
    const items = await collect(await h.callAs(USER_KEY).status.onEvents({ job_id: job.job_id }));
    expect(items.at(-1)?.data).toEqual({ type: 'done', job_id: job.job_id, status: 'completed' });
    const completed = items.find((item) => item.data.type === 'completed');
    expect(completed?.data.model_url).toBe(`${PUBLIC_URL}/api/v1/download/${job.job_id}/file_001/model?session_id=${job.session_id}`);
    const ids = items.map((item) => Number(item.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const resumed = await collect(await h.callAs(null).status.onEvents({ job_id: job.job_id, session_id: job.session_id, lastEventId: items.at(-2)?.id ?? null }));
    expect(resumed).toEqual(items.slice(-1));
  });

  it('refuses before the first event: another key or an unknown job gets NOT_FOUND, no key and no session_id AUTHENTICATION_REQUIRED', async () => {
    const { job } = await h.upload(USER_KEY);
    expect(await failureOf(h.callAs(OTHER_KEY).status.onEvents({ job_id: job.job_id }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await failureOf(h.callAs(USER_KEY).status.onEvents({ job_id: 'batch_20240101_000000_nojob1' }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await failureOf(h.callAs(null).status.onEvents({ job_id: job.job_id }))).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
    expect(await failureOf(h.callAs('not-a-key').status.onEvents({ job_id: job.job_id, session_id: job.session_id }))).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
  });
});
