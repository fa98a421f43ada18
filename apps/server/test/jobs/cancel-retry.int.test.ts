import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, OTHER_USER_KEY, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, readEventStream, uploadBatch, waitForJobStatus, type JobStatusBody, type SseEvent } from '@image2model/testing/http';

const HOUR_MS = 3_600_000;

describe('cancel and retry a job (embedded mode, over HTTP)', () => {
  let server: TestServer;
  let provider: FakeModelProvider;
  afterEach(async () => {
    provider.release();
    await server.stop();
  });

  async function start(env: Record<string, string> = {}) {
    provider = new FakeModelProvider();
    server = await startTestServer({ provider, env: { WORKER_CONCURRENCY: '2', ...env } });
  }

  const post = (path: string, body: unknown, key: string | null = USER_KEY) =>
    fetch(server.api(path), { method: 'POST', headers: { ...(key ? auth(key) : {}), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const status = (jobId: string, until?: (body: JobStatusBody) => boolean) => waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY, until);

  async function upload(files: number): Promise<{ job_id: string; session_id: string }> {
    const photo = await makePhoto();
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: Array.from({ length: files }, (_, i) => ({ name: `p${i + 1}.png`, data: photo })) });
    expect(res.status).toBe(200);
    return (await res.json()) as { job_id: string; session_id: string };
  }

  function follow(jobId: string): Promise<SseEvent[]> {
    return readEventStream(server.api(`/status/stream/${jobId}`), { headers: auth(USER_KEY), stopAfterMs: 20_000 }).then((r) => r.events);
  }

  it('cancels a processing and a pending file: they never complete, the stream says so, then done; retry brings them back', async () => {
    await start();
    provider.hold();
    const { job_id, session_id } = await upload(3);
    // Two slots: file_001 and file_002 run (held), file_003 waits.
    await status(job_id, (b) => b.files.filter((f) => f.status === 'processing').length === 2);
    const streamed = follow(job_id);

    const res = await post(`/jobs/${job_id}/cancel`, { file_ids: ['file_002', 'file_003'] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ job_id, status: 'processing', cancelled_file_ids: ['file_002', 'file_003'] });
    const during = await status(job_id, () => true);
    expect(during).toMatchObject({ status: 'processing', cancelled_files: 2, expires_at: null });
    expect(during.files.map((f) => f.status)).toEqual(['processing', 'cancelled', 'cancelled']);

    // The provider answers for file_002 too: its result is discarded.
    provider.release();
    const finished = await status(job_id);
    expect(finished).toMatchObject({ status: 'partial', processed_files: 1, failed_files: 0, cancelled_files: 2, progress: 100 });
    expect(finished.files.map((f) => [f.file_id, f.status, f.model_url === null])).toEqual([
      ['file_001', 'completed', false],
      ['file_002', 'cancelled', true],
      ['file_003', 'cancelled', true],
    ]);
    expect(finished.expires_at).toBe(new Date(Date.parse(finished.updated_at) + 168 * HOUR_MS).toISOString());
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await status(job_id, () => true)).files[1]?.status).toBe('cancelled');
    await expect(access(join(server.dataDir, 'jobs', job_id, 'models', 'file_002.glb'))).rejects.toThrow();
    expect((await fetch(server.api(`/download/${job_id}/file_002/model`), { headers: auth(USER_KEY) })).status).toBe(404);

    const events = (await streamed).map((e) => e.data);
    const cancelled = events.filter((e) => e.type === 'cancelled');
    expect(cancelled).toEqual([
      { type: 'cancelled', job_id, file_id: 'file_002' },
      { type: 'cancelled', job_id, file_id: 'file_003' },
    ]);
    expect(events.at(-1)).toEqual({ type: 'done', job_id, status: 'partial' });
    expect(events.some((e) => e.type === 'completed' && e.file_id === 'file_002')).toBe(false);
    // The running file's log says what its cancel means for billing (nothing, for this provider).
    expect(events.some((e) => e.type === 'log' && e.file_id === 'file_002' && String(e.message).includes('bills nothing'))).toBe(true);

    // Again: nothing left to cancel. Unknown ids, other keys and session ids cancel nothing.
    expect(await (await post(`/jobs/${job_id}/cancel`, {})).json()).toEqual({ job_id, status: 'partial', cancelled_file_ids: [] });
    const unknown = await post(`/jobs/${job_id}/cancel`, { file_ids: ['file_001', 'file_009'] });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ detail: { code: 'NOT_FOUND', details: { file_ids: ['file_009'] } } });
    expect((await post(`/jobs/${job_id}/cancel`, {}, OTHER_USER_KEY)).status).toBe(404);
    expect((await post(`/jobs/${job_id}/cancel?session_id=${session_id}`, {}, null)).status).toBe(401);
    expect((await post(`/jobs/${job_id}/cancel`, { file_ids: [] })).status).toBe(400);

    const retried = await post(`/jobs/${job_id}/retry`, {});
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ job_id, status: 'processing', retried_file_ids: ['file_002', 'file_003'] });
    const done = await status(job_id);
    expect(done).toMatchObject({ status: 'completed', processed_files: 3, cancelled_files: 0 });
    const nothing = await post(`/jobs/${job_id}/retry`, {});
    expect(nothing.status).toBe(409);
    expect(await nothing.json()).toMatchObject({ detail: { code: 'CONFLICT', details: { reason: 'nothing_to_retry' } } });
  });

  it('cancelling every file makes the job cancelled: done says so, progress counts them 100, each keeps its own', async () => {
    await start();
    provider.hold();
    const { job_id } = await upload(2);
    await status(job_id, (b) => b.files.every((f) => f.status === 'processing'));
    const res = await post(`/jobs/${job_id}/cancel`, {});
    expect(await res.json()).toEqual({ job_id, status: 'cancelled', cancelled_file_ids: ['file_001', 'file_002'] });
    const body = await status(job_id, () => true);
    expect(body).toMatchObject({ status: 'cancelled', progress: 100, cancelled_files: 2 });
    expect(body.files.map((f) => f.progress)).toEqual([0, 0]);
    expect(body.expires_at).not.toBeNull();
    const replay = await readEventStream(server.api(`/status/stream/${job_id}`), { headers: auth(USER_KEY), stopAfterMs: 5000 });
    expect(replay.closedByServer).toBe(true);
    expect(replay.events.at(-1)?.data).toEqual({ type: 'done', job_id, status: 'cancelled' });
    // generate-single regenerates a cancelled file, as a failed one.
    provider.release();
    const again = await post('/models/generate-single', { job_id, file_id: 'file_001' });
    expect(again.status).toBe(200);
    expect((await status(job_id)).files.map((f) => f.status)).toEqual(['completed', 'cancelled']);
  });

  it('retention deletes a finished job with its files after RETENTION_HOURS, and never a running one', async () => {
    // 0.0003 h ≈ 1 s; the sweep runs every second.
    await start({ RETENTION_HOURS: '0.0003', RETENTION_SWEEP_SECONDS: '1' });
    const finished = await upload(1);
    const done = await status(finished.job_id);
    expect(done.expires_at).toBe(new Date(Date.parse(done.updated_at) + 0.0003 * HOUR_MS).toISOString());
    provider.hold();
    const running = await upload(1);
    const jobDir = join(server.dataDir, 'jobs', finished.job_id);
    await access(jobDir);
    const deadline = Date.now() + 10_000;
    while ((await fetch(server.api(`/status/${finished.job_id}`), { headers: auth(USER_KEY) })).status !== 404) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Its record goes first, then its files.
    while (await access(jobDir).then(() => true, () => false)) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const still = await status(running.job_id, () => true);
    expect(still).toMatchObject({ status: 'processing', expires_at: null });
  });
});
