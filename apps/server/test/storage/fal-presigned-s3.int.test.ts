import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFalStack, type FalStack } from '@image2model/testing/fal';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadMultiview, waitForJobStatus } from '@image2model/testing/http';
import { USER_KEY } from '@image2model/testing/test-server';
import { startS3Server, type S3TestServer } from '@image2model/testing/s3-server';

/**
 * S3_PUBLIC_READS=presigned with FAL: the photo reaches FAL as a presigned URL of the stored
 * object, signed for S3_PUBLIC_ENDPOINT, instead of an upload to FAL storage. The emulator
 * downloads image_url as FAL would, from the S3 server, which checks the signature.
 */
describe('FAL reads the photo from the bucket by a presigned URL (S3_PUBLIC_READS=presigned)', () => {
  let s3: S3TestServer;
  let stack: FalStack;
  const publicEndpoint = () => s3.endpoint.replace('127.0.0.1', 'localhost');

  beforeAll(async () => {
    s3 = await startS3Server();
    // The in-process server's AWS SDK reads its credentials from the environment, as a server process does.
    vi.stubEnv('AWS_ACCESS_KEY_ID', s3.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', s3.secretAccessKey);
    stack = await startFalStack({
      env: { ...s3.env, S3_PREFIX: 'presigned/', S3_PUBLIC_READS: 'presigned', S3_PUBLIC_ENDPOINT: publicEndpoint(), GENERATION_TIMEOUT_MS: '900000' },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await s3?.close();
    vi.unstubAllEnvs();
  });

  it('submits the presigned URL as image_url, FAL downloads the photo with it, nothing goes to FAL storage', async () => {
    const photo = await makePhoto();
    const job = await stack.run([{ name: 'chair.png', data: photo }]);
    expect(job.status).toBe('completed');

    const [submit, ...more] = stack.fal.acceptedSubmits();
    expect(more).toEqual([]);
    const imageUrl = new URL(String(submit?.input.image_url));
    // For the bucket's public address, valid for twice the generation timeout (15 min).
    expect(imageUrl.host).toBe(new URL(publicEndpoint()).host);
    expect(imageUrl.pathname).toBe(`/${s3.bucket}/presigned/jobs/${job.job_id}/uploads/file_001.png`);
    expect(imageUrl.searchParams.get('X-Amz-Expires')).toBe('1800');
    expect(submit?.input).toEqual({ image_url: imageUrl.href });

    // FAL fetched it from the bucket and got our photo; FAL storage was never used.
    expect(stack.fal.fetches).toEqual([expect.objectContaining({ url: imageUrl.href, status: 200, size: photo.length })]);
    expect(stack.fal.uploads).toEqual([]);
    expect(stack.fal.requests.filter((r) => r.path.startsWith('/storage/') || r.path.startsWith('/upload/'))).toEqual([]);

    // The model FAL made from it is ours to download.
    const { status, bytes } = await stack.download(job);
    expect(status).toBe(200);
    expect(bytes.equals((await stack.fal.modelOf(job.files[0]?.model_task_id ?? '')) ?? Buffer.alloc(0))).toBe(true);

    // No local copy of the photo was ever made (the copies' folder is created by the first one).
    await expect(stat(join(stack.server.dataDir, 'tmp', 'copies'))).rejects.toMatchObject({ code: 'ENOENT' });

    // The bucket checks the signature: the URL is no skeleton key.
    const tampered = new URL(imageUrl);
    tampered.pathname = tampered.pathname.replace('file_001.png', 'file_002.png');
    expect((await fetch(tampered)).status).toBe(403);
  });

  it("hands FAL each view of a multiview file by a presigned URL, and FAL downloads every one", async () => {
    const [front, left] = [await makePhoto(), await makePhoto({ colour: '#2a6' })];
    const res = await uploadMultiview(stack.server.api('/upload/multiview'), {
      key: USER_KEY,
      views: { front: { name: 'front.png', data: front }, left: { name: 'left.png', data: left } },
    });
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    expect((await waitForJobStatus(stack.server.api(`/status/${job_id}`), USER_KEY)).status).toBe('completed');

    const submit = stack.fal.acceptedSubmits().find((candidate) => String(candidate.input.front_image_url).includes(job_id));
    const urls = { front: new URL(String(submit?.input.front_image_url)), left: new URL(String(submit?.input.left_image_url)) };
    for (const [view, url] of Object.entries(urls)) {
      expect(url.host).toBe(new URL(publicEndpoint()).host);
      expect(url.pathname).toBe(`/${s3.bucket}/presigned/jobs/${job_id}/uploads/file_001.${view}.png`);
    }
    expect(submit?.input.back_image_url).toBeUndefined();
    const fetched = stack.fal.fetches.filter((fetch) => fetch.url.includes(job_id));
    expect(fetched).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ url: urls.front.href, status: 200, size: front.length }),
        expect.objectContaining({ url: urls.left.href, status: 200, size: left.length }),
      ]),
    );
    expect(stack.fal.uploads).toEqual([]);
    const model = await fetch(stack.server.api(`/download/${job_id}/file_001/model`), { headers: auth(USER_KEY) });
    expect(model.status).toBe(200);
  });
});
