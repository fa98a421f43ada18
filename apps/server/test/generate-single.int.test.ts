import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '@image2model/core';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, OTHER_USER_KEY, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

describe('POST /models/generate-single', () => {
  let server: TestServer;
  let provider: FakeModelProvider;

  beforeEach(async () => {
    provider = new FakeModelProvider();
    server = await startTestServer({ provider });
  });
  afterEach(() => server.stop());

  const generate = (body: unknown, key = USER_KEY) =>
    fetch(server.api('/models/generate-single'), { method: 'POST', headers: { ...auth(key), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  async function upload() {
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }] });
    return (await res.json()) as { job_id: string; session_id: string };
  }

  it('retries a failed file with a new face limit and returns the new task id', async () => {
    provider.failNext(new AppError('PROCESSING_ERROR', 'first try fails'));
    const { job_id } = await upload();
    const failed = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    expect(failed.status).toBe('failed');
    const oldTask = failed.files[0]?.model_task_id;

    const res = await generate({ job_id, file_id: 'file_001', face_limit: 2000 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model_task_id: string };
    expect(body).toEqual({ job_id, file_id: 'file_001', model_task_id: expect.stringMatching(/^task_/), status: 'processing' });
    expect(body.model_task_id).not.toBe(oldTask);

    const done = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    expect(done.files[0]).toMatchObject({ status: 'completed', face_limit: 2000, model_task_id: body.model_task_id });
    expect(provider.calls.at(-1)?.face_limit).toBe(2000);
  });

  it('answers 409 CONFLICT while the file is still being generated', async () => {
    provider.hold();
    const { job_id } = await upload();
    const res = await generate({ job_id, file_id: 'file_001' });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ detail: { code: 'CONFLICT', message: expect.any(String), details: {} } });
    provider.release();
  });

  it('answers 404 for an unknown job or file and for a job of another key', async () => {
    const { job_id } = await upload();
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    for (const [body, key] of [
      [{ job_id: 'batch_20990101_000000_aaaaaa', file_id: 'file_001' }, USER_KEY],
      [{ job_id, file_id: 'file_404' }, USER_KEY],
      [{ job_id, file_id: 'file_001' }, OTHER_USER_KEY],
    ] as const) {
      const res = await generate(body, key);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { detail: { code: string } }).detail.code).toBe('NOT_FOUND');
    }
  });

  it('answers 400 VALIDATION_ERROR for malformed bodies', async () => {
    const { job_id } = await upload();
    for (const body of [{}, { job_id }, { job_id, file_id: 'file_001', face_limit: 3 }, { job_id, file_id: 'file_001', face_limit: 10.5 }, { job_id, file_id: 'file_001', face_limit: '1000' }, [1, 2]]) {
      const res = await generate(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const answer = (await res.json()) as { detail: { code: string; message: string; details: unknown } };
      expect(answer).toEqual({ detail: { code: 'VALIDATION_ERROR', message: expect.any(String), details: expect.any(Object) } });
    }
    const broken = await fetch(server.api('/models/generate-single'), { method: 'POST', headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' }, body: '{"job_id":' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { detail: { code: string } }).detail.code).toBe('VALIDATION_ERROR');
  });

  it('needs the key: a session id alone is read-only', async () => {
    const { job_id, session_id } = await upload();
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    const res = await fetch(server.api(`/models/generate-single?session_id=${session_id}`), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ job_id, file_id: 'file_001', session_id }),
    });
    expect(res.status).toBe(401);
  });
});
