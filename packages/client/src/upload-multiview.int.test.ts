import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage2ModelClient, Image2ModelError, type Image2ModelClient } from './index.js';
import { makePhoto } from '@image2model/testing/images';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';

describe('uploadMultiview against a real server with the local generator', () => {
  let server: TestServer;
  let client: Image2ModelClient;
  let dir = '';

  beforeAll(async () => {
    server = await startTestServer();
    client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    dir = await mkdtemp(join(tmpdir(), 'i2m-client-multiview-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads a path, bytes and named bytes as the views of one file, whose status, photo and ZIP follow', { timeout: 90_000 }, async () => {
    const front = await makePhoto({ width: 160, height: 200, colour: '#d04a2a' });
    const left = await makePhoto({ width: 120, height: 200, colour: '#2a7fd0', format: 'jpeg' });
    const back = await makePhoto({ width: 160, height: 200, colour: '#3aa04a' });
    await writeFile(join(dir, 'vase-front.png'), front);

    const answer = await client.uploadMultiview({ front: join(dir, 'vase-front.png'), left, back: { name: 'vase-back.png', data: back } }, { faceLimit: 2000 });
    expect(answer).toEqual({
      job_id: expect.stringMatching(/^batch_\d{8}_\d{6}_\w+$/),
      session_id: expect.any(String),
      files: [{ file_id: 'file_001', filename: 'vase-front.png', status: 'pending', views: { front: 'vase-front.png', left: 'left.jpg', back: 'vase-back.png' } }],
      total_files: 1,
      status: 'processing',
    });

    const job = await client.waitForJob(answer.job_id);
    expect(job.status).toBe('completed');
    expect(job.files).toEqual([expect.objectContaining({ file_id: 'file_001', status: 'completed', face_limit: 2000, views: { front: 'vase-front.png', left: 'left.jpg', back: 'vase-back.png' } })]);

    // The file's photo is its front; the ZIP's manifest names the views too.
    const photo = await client.downloadPhoto(answer.job_id, 'file_001');
    expect(Buffer.from(await new Response(photo.stream).arrayBuffer()).equals(front)).toBe(true);
    const zip = unzipSync(new Uint8Array(await new Response((await client.downloadAll(answer.job_id)).stream).arrayBuffer()));
    const manifest = JSON.parse(new TextDecoder().decode(zip['manifest.json'])) as { files: { file_id: string; views?: unknown }[] };
    expect(manifest.files).toEqual([expect.objectContaining({ file_id: 'file_001', views: { front: 'vase-front.png', left: 'left.jpg', back: 'vase-back.png' } })]);

    // An ordinary upload's files have no views.
    const single = await client.upload([front]);
    expect(single.files[0]).not.toHaveProperty('views');
  });

  it('sends the same upload again with its Idempotency-Key and gets the first job back', async () => {
    const views = { front: await makePhoto(), right: await makePhoto({ width: 96 }) };
    const first = await client.uploadMultiview(views, { idempotencyKey: 'multiview-key-1' });
    const again = await client.uploadMultiview(views, { idempotencyKey: 'multiview-key-1' });
    expect(again.job_id).toBe(first.job_id);
    await client.waitForJob(first.job_id);
  });

  it("reports the server's refusals as Image2ModelError, naming the view", async () => {
    const bmp = { name: 'side.bmp', data: new Uint8Array([0x42, 0x4d, ...new Array<number>(60).fill(0)]) };
    const error = await client.uploadMultiview({ front: await makePhoto(), left: bmp }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Image2ModelError);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', status: 400, message: expect.stringContaining('Invalid file format: side.bmp'), details: { field: 'left', file: 'side.bmp' } });
  });
});
