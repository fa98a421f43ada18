import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { startS3Server, type S3TestServer } from '@image2model/testing/s3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobStorageContract } from '../../storage/blob-storage.contract.js';
import { S3BlobStorage } from './blob-storage.s3.js';
import { createS3Client } from './s3-client.js';

let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server.close();
});

function clientFor(secretAccessKey = server.secretAccessKey) {
  return createS3Client({ endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: { accessKeyId: server.accessKeyId, secretAccessKey } });
}

let run = 0;
blobStorageContract('S3BlobStorage (a bucket on a SigV4-checking S3 server)', async () => {
  // Each test gets its own prefix in the one bucket: that the prefix confines it is tested too.
  const prefix = `deploy-${++run}/`;
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'i2m-s3-temp-'));
  const client = clientFor();
  return {
    storage: new S3BlobStorage({ client, bucket: server.bucket, prefix, tempDir }),
    async listKeys() {
      const page = await client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix }));
      return (page.Contents ?? []).map((o) => (o.Key ?? '').slice(prefix.length)).sort();
    },
    copiesLocalFiles: true,
    async cleanup() {
      client.destroy();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
});

describe('S3BlobStorage against the server', () => {
  it('is refused with a wrong secret: the server checks signatures, so the passes above are real', async () => {
    const wrong = clientFor('not-the-secret');
    const storage = new S3BlobStorage({ client: wrong, bucket: server.bucket, tempDir: os.tmpdir() });
    await expect(wrong.send(new PutObjectCommand({ Bucket: server.bucket, Key: 'x', Body: 'x' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect(await storage.checkWritable()).toBe(false);
    wrong.destroy();
  });

  it('reports a missing bucket as not writable', async () => {
    const client = clientFor();
    expect(await new S3BlobStorage({ client, bucket: 'no-such-bucket', tempDir: os.tmpdir() }).checkWritable()).toBe(false);
    client.destroy();
  });
});
