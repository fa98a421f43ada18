import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { createS3Client, S3BlobStorage } from '@image2model/core/s3';
import type { BlobStorage } from '@image2model/core';
import { FsBlobStorage } from '@image2model/core';
import { ADMIN_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';
import { startS3Server, type S3TestServer } from '@image2model/testing/s3-server';

interface StorageInfo {
  backend: 'fs' | 's3';
  objects: number;
  bytes: number;
}

/** What the storage really holds of jobs' blobs, by a listing (what the counts must match). */
async function listed(storage: BlobStorage): Promise<{ objects: number; bytes: number }> {
  let objects = 0;
  let bytes = 0;
  for await (const blob of storage.list('jobs')) {
    if (!/^jobs\/[^/]+\/(uploads|models|previews)\//.test(blob.key)) continue;
    objects += 1;
    bytes += blob.size;
  }
  return { objects, bytes };
}

/**
 * `/admin/system-info`'s `storage` comes from counts the service keeps as blobs are written and
 * deleted, for both storages: they grow with an upload and its models, stay put when a model is
 * replaced, shrink back with cleanup, and a start sets them right when they went wrong.
 */
describe.each(['fs', 's3'] as const)('storage counts in /admin/system-info (%s)', (backend) => {
  let s3: S3TestServer | null = null;
  let dataDir: string;
  let server: TestServer;
  let storage: BlobStorage;
  const s3Prefix = `usage-${backend}-${process.pid}/`;

  beforeAll(async () => {
    if (backend === 's3') {
      s3 = await startS3Server();
      vi.stubEnv('AWS_ACCESS_KEY_ID', s3.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', s3.secretAccessKey);
    }
  });
  afterEach(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await s3?.close();
    vi.unstubAllEnvs();
  });

  async function start(): Promise<void> {
    const env = s3 ? { ...s3.env, S3_PREFIX: s3Prefix } : {};
    server = await startTestServer({ provider: new FakeModelProvider(), dataDir, env });
    storage = s3
      ? new S3BlobStorage({ client: createS3Client({ endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }), bucket: s3.bucket, prefix: s3Prefix, tempDir: join(dataDir, 'scratch') })
      : new FsBlobStorage({ root: dataDir });
  }

  async function info(): Promise<StorageInfo> {
    const res = await fetch(server.api('/admin/system-info'), { headers: auth(ADMIN_KEY) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { storage: StorageInfo }).storage;
  }

  async function uploadTwo(): Promise<string> {
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }, { name: 'b.png', data: await makePhoto({ width: 96 }) }] });
    const { job_id } = (await res.json()) as { job_id: string };
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    return job_id;
  }

  it('grows with uploads and models, keeps a replaced model at one object, and shrinks back with cleanup', async () => {
    dataDir = await mkdtemp(join(tmpdir(), `i2m-usage-${backend}-`));
    await start();
    expect(await info()).toEqual({ backend, objects: 0, bytes: 0 });

    const jobId = await uploadTwo();
    const afterUpload = await info();
    expect(afterUpload.objects).toBeGreaterThanOrEqual(4); // two photos and two models (and previews, if any)
    expect(afterUpload).toEqual({ backend, ...(await listed(storage)) });

    // generate-single writes the model again under its key: still one object for it.
    const again = await fetch(server.api('/models/generate-single'), { method: 'POST', headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' }, body: JSON.stringify({ job_id: jobId, file_id: 'file_001' }) });
    expect(again.status).toBe(200);
    await waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY);
    expect(await info()).toEqual({ backend, ...(await listed(storage)) });
    expect((await info()).objects).toBe(afterUpload.objects);

    await uploadTwo();
    expect(await info()).toEqual({ backend, ...(await listed(storage)) });

    const cleanup = await fetch(server.api('/admin/cleanup'), { method: 'POST', headers: { ...auth(ADMIN_KEY), 'Content-Type': 'application/json' }, body: JSON.stringify({ older_than_hours: 0 }) });
    expect(cleanup.status).toBe(200);
    expect(await info()).toEqual({ backend, objects: 0, bytes: 0 });
    expect(await listed(storage)).toEqual({ objects: 0, bytes: 0 });
  });

  it('is kept across a clean restart, and set right by one listing at a start after a crash or without its file', async () => {
    dataDir = await mkdtemp(join(tmpdir(), `i2m-usage-${backend}-`));
    await start();
    await uploadTwo();
    const truth = await listed(storage);
    expect(await info()).toEqual({ backend, ...truth });
    await server.stop();

    // Embedded mode keeps the counts in DATA_DIR, trusted after a clean stop.
    expect(JSON.parse(await readFile(join(dataDir, 'storage-usage.json'), 'utf8'))).toEqual({ ...truth, clean: true });
    await start();
    expect(JSON.parse(await readFile(join(dataDir, 'storage-usage.json'), 'utf8'))).toEqual({ ...truth, clean: false }); // in use
    expect(await info()).toEqual({ backend, ...truth });
    await server.stop();

    // A crash (the file still marked in use) leaves them untrusted: a listing sets them right.
    await writeFile(join(dataDir, 'storage-usage.json'), JSON.stringify({ objects: 1000, bytes: 5, clean: false }));
    await start();
    expect(await info()).toEqual({ backend, ...truth });
    await server.stop();

    // Lost altogether: counted again from the storage.
    await rm(join(dataDir, 'storage-usage.json'));
    await start();
    expect(await info()).toEqual({ backend, ...truth });
  });
});
