import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, type ModelProvider } from '@image2model/core';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, OTHER_USER_KEY, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus, type JobStatusBody } from '@image2model/testing/http';

const notFoundBody = { detail: { code: 'NOT_FOUND', message: expect.any(String), details: {} } };

describe('GET /status/{job_id}', () => {
  let server: TestServer;
  let provider: FakeModelProvider;

  beforeEach(async () => {
    provider = new FakeModelProvider();
    server = await startTestServer({ provider });
  });
  afterEach(() => server.stop());

  async function upload(names: string[], key = USER_KEY) {
    const photo = await makePhoto();
    const res = await uploadBatch(server.api('/upload/batch'), { key, files: names.map((name) => ({ name, data: photo })) });
    expect(res.status).toBe(200);
    return (await res.json()) as { job_id: string; session_id: string };
  }

  it('reports queued files while the provider is busy, with task ids and no model yet', async () => {
    provider.hold();
    const { job_id } = await upload(['a.png', 'b.png']);
    const res = await fetch(server.api(`/status/${job_id}`), { headers: auth(USER_KEY) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as JobStatusBody;
    expect(body).toMatchObject({ job_id, status: 'processing', total_files: 2, processed_files: 0, failed_files: 0, progress: 0 });
    for (const file of body.files) {
      expect(['pending', 'processing']).toContain(file.status);
      expect(file.model_url).toBeNull();
      expect(file.model_task_id).toMatch(/^task_/);
    }
    provider.release();
  });

  it('ends completed with absolute model URLs that download the GLB', async () => {
    const { job_id, session_id } = await upload(['chair.png', 'lamp.png']);
    const body = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    expect(body).toMatchObject({ status: 'completed', total_files: 2, processed_files: 2, failed_files: 0, progress: 100 });
    const file = body.files[0];
    expect(file).toMatchObject({ file_id: 'file_001', filename: 'chair.png', status: 'completed', progress: 100 });
    expect(file?.model_url).toBe(`${server.url}/api/v1/download/${job_id}/file_001/model?session_id=${session_id}`);
    const download = await fetch(file?.model_url ?? '');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('model/gltf-binary');
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe(`glTF fake model for ${job_id}/file_001`);
  });

  it('reports partial with the error of the failed file, and failed when none succeeded', async () => {
    provider.failNext(new AppError('PROCESSING_ERROR', 'The photo could not be read'));
    const { job_id } = await upload(['bad.png', 'good.png']);
    const partial = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    expect(partial).toMatchObject({ status: 'partial', processed_files: 1, failed_files: 1, progress: 100 });
    expect(partial.files[0]).toMatchObject({ status: 'failed', model_url: null, error: { code: 'PROCESSING_ERROR', message: 'The photo could not be read' } });
    expect(partial.files[1]?.error).toBeUndefined();

    provider.failNext(new AppError('PROCESSING_ERROR', 'nope'), 2);
    const second = await upload(['x.png', 'y.png']);
    const failed = await waitForJobStatus(server.api(`/status/${second.job_id}`), USER_KEY);
    expect(failed).toMatchObject({ status: 'failed', processed_files: 0, failed_files: 2 });
  });

  it('computes progress as the mean of file progress with two decimals', async () => {
    await server.stop();
    // file_001 fails at once, the others stay at 0 until released: (100 + 0 + 0) / 3
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const oneFails: ModelProvider = {
      name: 'local',
      health: async () => 'not_configured',
      async generate(request) {
        if (request.file_id === 'file_001') throw new AppError('PROCESSING_ERROR', 'x');
        await held;
        return { glb: Buffer.from('glTF'), warnings: [], shape: null };
      },
    };
    server = await startTestServer({ provider: oneFails, env: { WORKER_CONCURRENCY: '3' } });
    const { job_id } = await upload(['a.png', 'b.png', 'c.png']);
    const oneFailed = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY, (b) => b.failed_files === 1);
    expect(oneFailed.progress).toBe(33.33);
    release();
    const done = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    expect(done).toMatchObject({ status: 'partial', progress: 100 });
  });

  it('answers 404 NOT_FOUND for unknown, malformed and path-like ids', async () => {
    for (const id of ['batch_20990101_000000_zzzzzz', 'nope', '..%2F..%2Fetc%2Fpasswd', '%2E%2E', 'x'.repeat(100)]) {
      const res = await fetch(server.api(`/status/${id}`), { headers: auth(USER_KEY) });
      expect(res.status, id).toBe(404);
      expect(await res.json()).toEqual(notFoundBody);
    }
  });

  it("hides another key's job and a forged session id behind the same 404", async () => {
    const { job_id } = await upload(['a.png']);
    const other = await fetch(server.api(`/status/${job_id}`), { headers: auth(OTHER_USER_KEY) });
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual(notFoundBody);
    const forged = await fetch(server.api(`/status/${job_id}?session_id=sess_${'A'.repeat(32)}`));
    expect(forged.status).toBe(404);
  });

  it('lets the session id read without a key, but never beside a wrong key', async () => {
    const { job_id, session_id } = await upload(['a.png']);
    const bySession = await fetch(server.api(`/status/${job_id}?session_id=${session_id}`));
    expect(bySession.status).toBe(200);
    const wrongKey = await fetch(server.api(`/status/${job_id}?session_id=${session_id}`), { headers: auth('wrong-key') });
    expect(wrongKey.status).toBe(401);
    expect(await wrongKey.json()).toEqual({ detail: { code: 'AUTHENTICATION_REQUIRED', message: expect.any(String), details: {} } });
    const nothing = await fetch(server.api(`/status/${job_id}`));
    expect(nothing.status).toBe(401);
  });
});
