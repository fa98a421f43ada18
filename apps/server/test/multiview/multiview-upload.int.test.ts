import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadMultiview, type UploadPart } from '@image2model/testing/http';

const MiB = 1024 * 1024;

/** Every job folder and upload temp file under the data directory. */
async function storedEntries(server: TestServer): Promise<string[]> {
  const list = async (dir: string) => readdir(join(server.dataDir, dir)).catch(() => [] as string[]);
  return [...(await list('jobs')), ...(await list('tmp/uploads'))];
}

describe('POST /upload/multiview: what it accepts and what it refuses (embedded)', () => {
  let server: TestServer;
  let front: UploadPart;
  let left: UploadPart;
  const provider = new FakeModelProvider();

  beforeAll(async () => {
    provider.hold();
    server = await startTestServer({ provider, env: { MAX_FILE_SIZE_MB: '1', MAX_ACTIVE_FILES_PER_KEY: '1' } });
    front = { name: 'mug-front.png', data: await makePhoto() };
    left = { name: 'mug-left.jpg', data: await makePhoto({ format: 'jpeg', colour: '#2a7bd0' }) };
  });
  afterAll(async () => {
    provider.release();
    await server.stop();
  });

  it.each<[string, () => Partial<Record<'front' | 'left' | 'back' | 'right', UploadPart>>, string, Record<string, unknown>]>([
    ['no front view', () => ({ left, right: left }), 'No front view', { field: 'front' }],
    ['the front alone', () => ({ front }), 'a left or right view is needed for depth', { field: 'left', fields: ['left', 'right'] }],
    ['the front and the back only', () => ({ front, back: front }), 'a left or right view is needed for depth', { field: 'left', fields: ['left', 'right'] }],
  ])('refuses %s with 400 VALIDATION_ERROR, storing nothing', async (_label, views, message, details) => {
    const before = await storedEntries(server);
    const res = await uploadMultiview(server.api('/upload/multiview'), { key: USER_KEY, views: views() });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ detail: { code: 'VALIDATION_ERROR', message: expect.stringContaining(message), details } });
    expect(await storedEntries(server)).toEqual(before);
  });

  it('refuses a BMP view as upload/batch refuses a BMP, naming the view, storing nothing', async () => {
    const raw = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).raw().toBuffer();
    const bmp = { name: 'side.bmp', data: Buffer.concat([Buffer.from('BM'), raw]) };
    const before = await storedEntries(server);
    const res = await uploadMultiview(server.api('/upload/multiview'), { key: USER_KEY, views: { front, right: bmp } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      detail: { code: 'VALIDATION_ERROR', message: expect.stringContaining('side.bmp'), details: { file: 'side.bmp', allowed_formats: ['jpg', 'jpeg', 'png'], field: 'right' } },
    });
    expect(await storedEntries(server)).toEqual(before);
  });

  it('refuses a view over MAX_FILE_SIZE_MB with 413 FILE_TOO_LARGE, storing nothing', async () => {
    const big = { name: 'big-back.png', data: Buffer.concat([front.data, Buffer.alloc(MiB)]) };
    const before = await storedEntries(server);
    const res = await uploadMultiview(server.api('/upload/multiview'), { key: USER_KEY, views: { front, left, back: big } });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: { code: 'FILE_TOO_LARGE', message: expect.stringContaining('big-back.png'), details: { file: 'big-back.png', max_size_mb: 1 } } });
    expect(await storedEntries(server)).toEqual(before);
  });

  it('refuses an unknown file field and a view sent twice with 400 VALIDATION_ERROR, storing nothing', async () => {
    const before = await storedEntries(server);
    const send = async (parts: [string, UploadPart][]) => {
      const form = new FormData();
      for (const [field, part] of parts) form.append(field, new Blob([part.data]), part.name);
      const res = await fetch(server.api('/upload/multiview'), { method: 'POST', body: form, headers: auth(USER_KEY) });
      return { status: res.status, body: (await res.json()) as { detail: { code: string; details: Record<string, unknown> } } };
    };
    const unknown = await send([['front', front], ['files', left]]);
    expect(unknown).toMatchObject({ status: 400, body: { detail: { code: 'VALIDATION_ERROR', details: { field: 'files', allowed_fields: ['front', 'left', 'back', 'right'] } } } });
    const twice = await send([['front', front], ['left', left], ['left', left]]);
    expect(twice).toMatchObject({ status: 400, body: { detail: { code: 'VALIDATION_ERROR', details: { field: 'left' } } } });
    expect(await storedEntries(server)).toEqual(before);
  });

  it('answers one file named after the front, with its views, and counts it as one active file', async () => {
    const res = await uploadMultiview(server.api('/upload/multiview'), { key: USER_KEY, views: { front, left, right: left }, fields: { face_limit: '2000' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { job_id: string };
    expect(body).toEqual({
      job_id: expect.stringMatching(/^batch_\d{8}_\d{6}_[a-z0-9]{6}$/),
      session_id: expect.stringMatching(/^sess_/),
      files: [{ file_id: 'file_001', filename: 'mug-front.png', status: 'pending', views: { front: 'mug-front.png', left: 'mug-left.jpg', right: 'mug-left.jpg' } }],
      total_files: 1,
      status: 'processing',
    });
    expect((await readdir(join(server.dataDir, 'jobs', body.job_id, 'uploads'))).sort()).toEqual(['file_001.front.png', 'file_001.left.jpg', 'file_001.right.jpg']);
    // MAX_ACTIVE_FILES_PER_KEY is 1: the multiview file is the key's one active file.
    const second = await uploadMultiview(server.api('/upload/multiview'), { key: USER_KEY, views: { front, left } });
    expect(second.status).toBe(429);
    expect(((await second.json()) as { detail: { details: { reason: string } } }).detail.details.reason).toBe('active_files');

    const status = await fetch(server.api(`/status/${body.job_id}`), { headers: auth(USER_KEY) });
    const file = ((await status.json()) as { files: Record<string, unknown>[] }).files[0];
    expect(file).toMatchObject({ filename: 'mug-front.png', face_limit: 2000, views: { front: 'mug-front.png', left: 'mug-left.jpg', right: 'mug-left.jpg' } });
    const photo = await fetch(server.api(`/download/${body.job_id}/file_001/photo`), { headers: auth(USER_KEY) });
    expect(photo.status).toBe(200);
    expect(Buffer.from(await photo.arrayBuffer()).equals(front.data)).toBe(true); // the front view
  });
});
