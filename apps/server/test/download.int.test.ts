import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { AppError } from '@image2model/core';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, OTHER_USER_KEY, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

describe('downloads', () => {
  let server: TestServer;
  let provider: FakeModelProvider;

  beforeEach(async () => {
    provider = new FakeModelProvider();
    server = await startTestServer({ provider });
  });
  afterEach(() => server.stop());

  async function finishedJob(names: string[]) {
    const photo = await makePhoto();
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: names.map((name) => ({ name, data: photo })) });
    const { job_id, session_id } = (await res.json()) as { job_id: string; session_id: string };
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    return { job_id, session_id };
  }

  it('serves one model as model/gltf-binary named after the upload', async () => {
    const { job_id } = await finishedJob(['Red Chair.png']);
    const res = await fetch(server.api(`/download/${job_id}/file_001/model`), { headers: auth(USER_KEY) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('model/gltf-binary');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="Red Chair.glb"');
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe(`glTF fake model for ${job_id}/file_001`);
  });

  it('keeps header injection out of Content-Disposition', async () => {
    const { job_id } = await finishedJob(['evil"\r\nSet-Cookie: x=1.png']);
    const res = await fetch(server.api(`/download/${job_id}/file_001/model`), { headers: auth(USER_KEY) });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('content-disposition')).not.toMatch(/[\r\n]/);
  });

  it('answers 404 while the model is not ready, and for unknown files or jobs', async () => {
    provider.hold();
    const photo = await makePhoto();
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: photo }] });
    const { job_id } = (await res.json()) as { job_id: string };
    for (const path of [`/download/${job_id}/file_001/model`, `/download/${job_id}/file_009/model`, '/download/batch_20990101_000000_aaaaaa/file_001/model', `/download/${job_id}/all`]) {
      const answer = await fetch(server.api(path), { headers: auth(USER_KEY) });
      expect(answer.status, path).toBe(404);
      expect(((await answer.json()) as { detail: { code: string } }).detail.code).toBe('NOT_FOUND');
    }
    provider.release();
  });

  it('streams every completed model as a ZIP with safe unique names and a manifest', async () => {
    provider.failNext(new AppError('PROCESSING_ERROR', 'Unreadable'));
    const { job_id, session_id } = await finishedJob(['broken.png', 'mug.png', 'mug.png', '../../etc/passwd.png']);
    const res = await fetch(server.api(`/download/${job_id}/all?session_id=${session_id}`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const entries = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(entries).sort()).toEqual(['manifest.json', 'mug (2).glb', 'mug.glb', 'passwd.glb']);
    expect(strFromU8(entries['mug.glb'] ?? new Uint8Array())).toBe(`glTF fake model for ${job_id}/file_002`);
    const manifest = JSON.parse(strFromU8(entries['manifest.json'] ?? new Uint8Array())) as { files: Record<string, unknown>[] };
    expect(manifest.files).toHaveLength(4);
    expect(manifest.files[0]).toMatchObject({ file_id: 'file_001', name: 'broken.png', model: null, status: 'failed', error: { code: 'PROCESSING_ERROR', message: 'Unreadable' } });
    expect(manifest.files[1]).toMatchObject({ file_id: 'file_002', name: 'mug.png', model: 'mug.glb', status: 'completed', model_task_id: expect.stringMatching(/^task_/) });
    expect(manifest.files[1]).toHaveProperty('face_limit');
  });

  it("answers 404 to another key and 401 to a wrong one", async () => {
    const { job_id, session_id } = await finishedJob(['a.png']);
    const other = await fetch(server.api(`/download/${job_id}/file_001/model`), { headers: auth(OTHER_USER_KEY) });
    expect(other.status).toBe(404);
    const wrong = await fetch(server.api(`/download/${job_id}/all?session_id=${session_id}`), { headers: auth('not-a-key') });
    expect(wrong.status).toBe(401);
    const traversal = await fetch(server.api(`/download/${job_id}/..%2F..%2Fjob.json/model`), { headers: auth(USER_KEY) });
    expect(traversal.status).toBe(404);
  });
});
