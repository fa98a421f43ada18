import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '@image2model/core';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, readEventStream, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

describe('GET /status/stream/{job_id}', () => {
  let server: TestServer;
  let provider: FakeModelProvider;

  beforeEach(async () => {
    provider = new FakeModelProvider({ progressSteps: [30, 60, 90] });
    server = await startTestServer({ provider, heartbeatMs: 40 });
  });
  afterEach(() => server.stop());

  async function upload(count: number) {
    const photo = await makePhoto();
    const files = Array.from({ length: count }, (_, i) => ({ name: `p${i + 1}.png`, data: photo }));
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files });
    return (await res.json()) as { job_id: string; session_id: string };
  }

  it('streams progress, completed per file and a final done, then closes', async () => {
    provider.hold();
    const { job_id, session_id } = await upload(2);
    const reading = readEventStream(server.api(`/status/stream/${job_id}`), { headers: auth(USER_KEY) });
    await provider.waitForCalls(2);
    provider.release();
    const { res, events, closedByServer } = await reading;
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(closedByServer).toBe(true);
    const ids = events.map((e) => Number(e.id));
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] ?? 0))).toBe(true);
    expect(events.at(-1)?.data).toEqual({ type: 'done', job_id, status: 'completed' });
    for (const fileId of ['file_001', 'file_002']) {
      const own = events.filter((e) => e.data.file_id === fileId);
      const progress = own.filter((e) => e.data.type === 'progress').map((e) => e.data.progress as number);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(progress).toContain(90);
      expect(own.filter((e) => e.data.type === 'log').length).toBeGreaterThan(0);
      expect(own.filter((e) => e.data.type === 'completed').map((e) => e.data)).toEqual([
        { type: 'completed', job_id, file_id: fileId, model_url: `${server.url}/api/v1/download/${job_id}/${fileId}/model?session_id=${session_id}`, warnings: [], shape: null },
      ]);
    }
  });

  it('replays everything to a late client of a finished job and closes at once', async () => {
    const { job_id, session_id } = await upload(1);
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    const first = await readEventStream(server.api(`/status/stream/${job_id}?session_id=${session_id}`));
    expect(first.closedByServer).toBe(true);
    expect(first.events.map((e) => e.data.type)).toEqual(['progress', 'progress', 'progress', 'progress', 'log', 'completed', 'done']);
    const again = await readEventStream(server.api(`/status/stream/${job_id}`), { headers: auth(USER_KEY) });
    expect(again.events).toEqual(first.events);
  });

  it('resumes after Last-Event-ID with only the events that followed it', async () => {
    const { job_id } = await upload(1);
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    const all = await readEventStream(server.api(`/status/stream/${job_id}`), { headers: auth(USER_KEY) });
    const cut = all.events[2]?.id ?? '';
    const resumed = await readEventStream(server.api(`/status/stream/${job_id}`), { headers: { ...auth(USER_KEY), 'Last-Event-ID': cut } });
    expect(resumed.events).toEqual(all.events.slice(3));
    const atTheEnd = await readEventStream(server.api(`/status/stream/${job_id}`), { headers: { ...auth(USER_KEY), 'Last-Event-ID': all.events.at(-1)?.id ?? '' } });
    expect(atTheEnd.events).toEqual([]);
    expect(atTheEnd.closedByServer).toBe(true);
  });

  it('sends the failed event with its error', async () => {
    provider.failNext(new AppError('PROCESSING_ERROR', 'Unreadable photo'));
    const { job_id } = await upload(1);
    const { events } = await readEventStream(server.api(`/status/stream/${job_id}`), { headers: auth(USER_KEY) });
    expect(events.find((e) => e.data.type === 'failed')?.data).toEqual({
      type: 'failed',
      job_id,
      file_id: 'file_001',
      error: { code: 'PROCESSING_ERROR', message: 'Unreadable photo' },
    });
    expect(events.at(-1)?.data).toEqual({ type: 'done', job_id, status: 'failed' });
  });

  it('keeps an idle connection open with heartbeat comments', async () => {
    provider.hold();
    const { job_id } = await upload(1);
    const { comments, closedByServer } = await readEventStream(server.api(`/status/stream/${job_id}`), { headers: auth(USER_KEY), stopAfterMs: 300 });
    expect(closedByServer).toBe(false);
    expect(comments).toContain(': ping');
    provider.release();
  });

  it('after generate-single on a finished job, closes only on the newest done', async () => {
    const { job_id } = await upload(1);
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    provider.hold();
    const retry = await fetch(server.api('/models/generate-single'), {
      method: 'POST',
      headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' },
      body: JSON.stringify({ job_id, file_id: 'file_001' }),
    });
    expect(retry.status).toBe(200);
    const reading = readEventStream(server.api(`/status/stream/${job_id}`), { headers: auth(USER_KEY) });
    await provider.waitForCalls(2);
    provider.release();
    const { events, closedByServer } = await reading;
    expect(closedByServer).toBe(true);
    expect(events.filter((e) => e.data.type === 'done')).toHaveLength(1);
    expect(events.filter((e) => e.data.type === 'completed')).toHaveLength(2);
    expect(events.at(-1)?.data.type).toBe('done');
  });

  it('answers 404 for an unknown job and 401 without credentials, as JSON', async () => {
    const unknown = await fetch(server.api('/status/stream/batch_20990101_000000_abcdef'), { headers: auth(USER_KEY) });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: { code: 'NOT_FOUND', message: expect.any(String), details: {} } });
    const anonymous = await fetch(server.api('/status/stream/batch_20990101_000000_abcdef'));
    expect(anonymous.status).toBe(401);
  });
});
