import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';
import { startS3Server, type S3TestServer } from '@image2model/testing/s3-server';

const KEY = 'redirect-user-key-0001';
const OTHER_KEY = 'redirect-user-key-0002';

/**
 * Embedded mode on a bucket with DOWNLOAD_MODE=redirect: a model download answers 302 to a
 * presigned URL for the bucket's public address, after the same access check as a streamed one.
 */
describe('DOWNLOAD_MODE=redirect on a bucket (embedded mode)', () => {
  let s3: S3TestServer;
  let server: ChildServer;
  let dataDir: string;
  let jobId = '';
  let sessionId = '';
  const api = (path: string) => `${server.url}/api/v1${path}`;

  beforeAll(async () => {
    s3 = await startS3Server();
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-redirect-'));
    // Clients reach the bucket by another name than the server does: URLs must be signed for theirs.
    const publicEndpoint = s3.endpoint.replace('127.0.0.1', 'localhost');
    server = await startChildServer({ ...s3.env, DATA_DIR: dataDir, API_KEYS: `${KEY},${OTHER_KEY}`, DOWNLOAD_MODE: 'redirect', S3_PUBLIC_ENDPOINT: publicEndpoint, S3_PREFIX: 'redirect/' });
    const upload = await uploadBatch(api('/upload/batch'), { key: KEY, files: [{ name: 'Red Chair.png', data: await makePhoto() }, { name: 'Tasse à café.png', data: await makePhoto() }] });
    ({ job_id: jobId, session_id: sessionId } = (await upload.json()) as { job_id: string; session_id: string });
    await waitForJobStatus(api(`/status/${jobId}`), KEY);
  }, 90_000);
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await s3?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 302 to a presigned URL for the public endpoint, valid 5 minutes, that serves the model under its name', async () => {
    const res = await fetch(api(`/download/${jobId}/file_001/model`), { headers: auth(KEY), redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.host).toBe(new URL(s3.endpoint.replace('127.0.0.1', 'localhost')).host);
    expect(location.pathname).toBe(`/${s3.bucket}/redirect/jobs/${jobId}/models/file_001.glb`);
    expect(location.searchParams.get('X-Amz-Expires')).toBe('300');

    // The bucket checks the signature: the URL works as given, and not once tampered with.
    const model = await fetch(location);
    expect(model.status).toBe(200);
    expect(model.headers.get('content-type')).toBe('model/gltf-binary');
    expect(model.headers.get('content-disposition')).toBe('attachment; filename="Red Chair.glb"');
    expect(Buffer.from(await model.arrayBuffer()).subarray(0, 4).toString()).toBe('glTF');
    const tampered = new URL(location);
    tampered.searchParams.set('X-Amz-Expires', '604800');
    expect((await fetch(tampered)).status).toBe(403);
  });

  it('signs a UTF-8 download name into the URL as a streamed download would send it', async () => {
    // Not fetched: s3rver canonicalises the ' and * of filename*= unlike AWS (and MinIO), so it
    // refuses such a URL; the signed parameter is what S3 answers with.
    const res = await fetch(api(`/download/${jobId}/file_002/model`), { headers: auth(KEY), redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('response-content-disposition')).toBe(`attachment; filename="Tasse _ caf_.glb"; filename*=UTF-8''Tasse%20%C3%A0%20caf%C3%A9.glb`);
    expect(location.searchParams.get('response-content-type')).toBe('model/gltf-binary');
  });

  it('checks the key or session first: another key gets 404, the session_id a redirect', async () => {
    const other = await fetch(api(`/download/${jobId}/file_001/model`), { headers: auth(OTHER_KEY), redirect: 'manual' });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { detail: { code: string } }).detail.code).toBe('NOT_FOUND');
    const bySession = await fetch(api(`/download/${jobId}/file_001/model?session_id=${sessionId}`), { redirect: 'manual' });
    expect(bySession.status).toBe(302);
  });

  it('keeps streaming the ZIP and previews through the server, and nothing but temp space under DATA_DIR', async () => {
    const zip = await fetch(api(`/download/${jobId}/all`), { headers: auth(KEY), redirect: 'manual' });
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    await zip.arrayBuffer();
    const preview = await fetch(api(`/download/${jobId}/file_001/preview`), { headers: auth(KEY), redirect: 'manual' });
    expect(preview.status).toBe(200);
    await preview.arrayBuffer();
    const blobs = (await readdir(dataDir, { recursive: true })).filter((name) => /\.(glb|png)$/.test(name));
    expect(blobs).toEqual([]);
  });
});
