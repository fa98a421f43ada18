import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, OTHER_USER_KEY, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch } from '@image2model/testing/http';

describe('GET /download/{job_id}/{file_id}/photo', () => {
  let server: TestServer;
  let provider: FakeModelProvider;
  let dataDir: string;
  beforeAll(async () => {
    provider = new FakeModelProvider();
    dataDir = join((await import('node:os')).tmpdir(), `i2m-photo-${process.pid}`);
    server = await startTestServer({ provider, dataDir });
  });
  afterAll(async () => {
    provider.release();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the uploaded photo as stored, to the key that made the job or with its session_id, while the model is still being made', async () => {
    provider.hold();
    const [png, jpeg] = await Promise.all([makePhoto({ format: 'png' }), makePhoto({ format: 'jpeg', colour: '#2a7bd0' })]);
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: png }, { name: 'b.jpg', data: jpeg }] });
    const { job_id, session_id } = (await res.json()) as { job_id: string; session_id: string };

    const byKey = await fetch(server.api(`/download/${job_id}/file_001/photo`), { headers: auth(USER_KEY) });
    expect(byKey.status).toBe(200);
    expect(byKey.headers.get('content-type')).toBe('image/png');
    expect(byKey.headers.get('content-disposition')).toBe('attachment; filename="a.png"');
    expect(Buffer.from(await byKey.arrayBuffer()).equals(png)).toBe(true);
    const bySession = await fetch(server.api(`/download/${job_id}/file_002/photo?session_id=${session_id}`));
    expect(bySession.status).toBe(200);
    expect(bySession.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await bySession.arrayBuffer()).equals(jpeg)).toBe(true);

    const answers: [string, RequestInit, number, string][] = [
      [`/download/${job_id}/file_001/photo`, {}, 401, 'AUTHENTICATION_REQUIRED'],
      [`/download/${job_id}/file_001/photo?session_id=${session_id}`, { headers: auth('not-a-key') }, 401, 'AUTHENTICATION_REQUIRED'],
      [`/download/${job_id}/file_001/photo`, { headers: auth(OTHER_USER_KEY) }, 404, 'NOT_FOUND'],
      [`/download/${job_id}/file_001/photo?session_id=sess_wrong`, {}, 404, 'NOT_FOUND'],
      [`/download/${job_id}/file_009/photo`, { headers: auth(USER_KEY) }, 404, 'NOT_FOUND'],
      ['/download/batch_20990101_000000_aaaaaa/file_001/photo', { headers: auth(USER_KEY) }, 404, 'NOT_FOUND'],
    ];
    for (const [path, init, status, code] of answers) {
      const answer = await fetch(server.api(path), init);
      expect(answer.status, path).toBe(status);
      expect(((await answer.json()) as { detail: { code: string } }).detail.code, path).toBe(code);
    }
    provider.release();
  });

  it('answers 404 in the error shape when the stored photo is gone', async () => {
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'gone.png', data: await makePhoto() }] });
    const { job_id } = (await res.json()) as { job_id: string };
    await rm(join(dataDir, 'jobs', job_id, 'uploads'), { recursive: true, force: true });
    const answer = await fetch(server.api(`/download/${job_id}/file_001/photo`), { headers: auth(USER_KEY) });
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ detail: { code: 'NOT_FOUND', message: 'Photo not found', details: {} } });
  });
});
