import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto, makePngHeaderClaiming } from '@image2model/testing/images';
import { uploadBatch } from '@image2model/testing/http';

const MiB = 1024 * 1024;

async function storedEntries(server: TestServer): Promise<string[]> {
  const list = async (dir: string) => readdir(join(server.dataDir, dir)).catch(() => [] as string[]);
  return [...(await list('jobs')), ...(await list('tmp/uploads'))];
}

describe('POST /upload/batch', () => {
  let server: TestServer;
  let photo: Buffer;
  let jpeg: Buffer;
  const provider = new FakeModelProvider();

  beforeAll(async () => {
    provider.hold();
    server = await startTestServer({ provider, env: { MAX_FILES: '3', MAX_FILE_SIZE_MB: '1' } });
    photo = await makePhoto();
    jpeg = await makePhoto({ format: 'jpeg' });
  });
  afterAll(async () => {
    provider.release();
    await server.stop();
  });

  it('creates a job with every file queued and answers the spec body', async () => {
    const res = await uploadBatch(server.api('/upload/batch'), {
      key: USER_KEY,
      files: [
        { name: 'chair.png', data: photo, type: 'image/png' },
        { name: 'lamp.jpg', data: jpeg, type: 'image/jpeg' },
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      job_id: expect.stringMatching(/^batch_\d{8}_\d{6}_[a-z0-9]{6}$/),
      session_id: expect.stringMatching(/^sess_[A-Za-z0-9_-]{22,}$/),
      files: [
        { file_id: 'file_001', filename: 'chair.png', status: 'pending' },
        { file_id: 'file_002', filename: 'lamp.jpg', status: 'pending' },
      ],
      total_files: 2,
      status: 'processing',
    });
    const now = new Date();
    const stamp = `${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}${String(now.getUTCDate()).padStart(2, '0')}`;
    expect(body.job_id).toContain(`batch_${stamp}_`);
    expect(res.headers.get('x-ratelimit-limit')).toBe('10000');
  });

  it('recognises images by content, not by name or declared type', async () => {
    const res = await uploadBatch(server.api('/upload/batch'), {
      key: USER_KEY,
      files: [{ name: 'photo.bin', data: photo, type: 'text/plain' }],
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a BMP named .jpg', 'fake.jpg', () => sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).raw().toBuffer().then((raw) => Buffer.concat([Buffer.from('BM'), raw]))],
    ['a PDF named .png', 'doc.png', async () => Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF')],
    ['a JPEG header followed by garbage', 'broken.jpg', async () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)])],
    ['an empty file', 'empty.png', async () => Buffer.alloc(0)],
  ])('rejects %s with VALIDATION_ERROR and the allowed formats', async (_label, name, make) => {
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name, data: await make(), type: 'image/jpeg' }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      detail: { code: 'VALIDATION_ERROR', message: expect.stringContaining(name), details: { file: name, allowed_formats: ['jpg', 'jpeg', 'png'] } },
    });
  });

  it('rejects the whole batch atomically when one file is wrong, storing nothing', async () => {
    const fresh = await startTestServer({ provider: new FakeModelProvider() });
    try {
      const res = await uploadBatch(fresh.api('/upload/batch'), {
        key: USER_KEY,
        files: [
          { name: 'good.png', data: photo },
          { name: 'bad.png', data: Buffer.from('not an image at all') },
        ],
      });
      expect(res.status).toBe(400);
      expect(await storedEntries(fresh)).toEqual([]);
      const status = await fetch(fresh.api('/admin/system-info'), { headers: { Authorization: 'Bearer test-admin-key-0001' } });
      expect(((await status.json()) as { jobs: { active: number } }).jobs.active).toBe(0);
    } finally {
      await fresh.stop();
    }
  });

  it('accepts a file of exactly MAX_FILE_SIZE_MB MiB and answers 413 for one byte more', async () => {
    const padded = (size: number) => Buffer.concat([jpeg, Buffer.alloc(size - jpeg.length)]);
    const exact = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'exact.jpg', data: padded(MiB) }] });
    expect(exact.status).toBe(200);
    const over = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'big.jpg', data: padded(MiB + 1) }] });
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({
      detail: { code: 'FILE_TOO_LARGE', message: expect.stringContaining('big.jpg'), details: { file: 'big.jpg', max_size_mb: 1 } },
    });
  });

  it('answers 400 for no files and for more than MAX_FILES', async () => {
    const none = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [], fields: { face_limit: '1000' } });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { detail: { code: string } }).detail.code).toBe('VALIDATION_ERROR');
    const tooMany = await uploadBatch(server.api('/upload/batch'), {
      key: USER_KEY,
      files: Array.from({ length: 4 }, (_, i) => ({ name: `p${i}.png`, data: photo })),
    });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { detail: { code: string } }).detail.code).toBe('VALIDATION_ERROR');
  });

  it('refuses a decompression bomb from its header alone', async () => {
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'bomb.png', data: makePngHeaderClaiming(50_000, 50_000) }] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { detail: { code: string; details: Record<string, unknown> } };
    expect(body.detail.code).toBe('VALIDATION_ERROR');
    expect(body.detail.details).toMatchObject({ file: 'bomb.png', width: 50_000, height: 50_000 });
  });

  it.each(['abc', '10.0', '1e4', '', '3', '200001', '-5'])('answers 400 for face_limit %j', async (value) => {
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: photo }], fields: { face_limit: value } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: { code: string } }).detail.code).toBe('VALIDATION_ERROR');
  });

  it('keeps a valid face_limit on every file', async () => {
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: photo }], fields: { face_limit: '5000' } });
    const { job_id } = (await res.json()) as { job_id: string };
    const status = await fetch(server.api(`/status/${job_id}`), { headers: { Authorization: `Bearer ${USER_KEY}` } });
    expect(((await status.json()) as { files: { face_limit: number }[] }).files[0]?.face_limit).toBe(5000);
  });

  it('answers 401 without a key and with an unknown key', async () => {
    const missing = await uploadBatch(server.api('/upload/batch'), { files: [{ name: 'a.png', data: photo }] });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ detail: { code: 'AUTHENTICATION_REQUIRED', message: expect.any(String), details: {} } });
    const wrong = await uploadBatch(server.api('/upload/batch'), { key: 'nope', files: [{ name: 'a.png', data: photo }] });
    expect(wrong.status).toBe(401);
  });
});
