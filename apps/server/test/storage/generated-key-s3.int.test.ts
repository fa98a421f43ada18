import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, S3BlobStorage } from '@image2model/core/s3';
import { startCluster, type Cluster } from '@image2model/testing/cluster';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';
import { requireRedis } from '@image2model/testing/redis';
import { startS3Server, type S3TestServer } from '@image2model/testing/s3-server';

const redisUp = await requireRedis();

/** The file each API process keeps its generated key in, as its log names it. */
function keyFileOf(output: string[]): string {
  const file = output.map((line) => /"file":"([^"]*api-key\.txt)"/.exec(line)?.[1]).find((found) => found !== undefined);
  if (!file) throw new Error(`no key file in the log:\n${output.join('\n')}`);
  return file;
}

/**
 * A deployment on a bucket without API_KEYS: no folder is shared, so the generated admin key is
 * kept in Redis by the first API process and accepted by every one; the storage counts in
 * /admin/system-info are the deployment's, whichever process answers.
 */
describe.skipIf(!redisUp)('the generated admin key and the storage counts, shared through Redis (private DATA_DIRs, one bucket)', () => {
  let s3: S3TestServer;
  let cluster: Cluster;
  const s3Prefix = `key-${randomBytes(4).toString('hex')}/`;
  const api = (index: number, path: string) => `${cluster.apis[index]?.url ?? ''}/api/v1${path}`;

  beforeAll(async () => {
    s3 = await startS3Server();
    cluster = await startCluster({ apis: 2, workers: 1, privateDataDirs: true, env: { ...s3.env, S3_PREFIX: s3Prefix, API_KEYS: '', ADMIN_API_KEYS: '' } });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await s3?.close();
  });

  it('lets both API processes accept the one key the first generated, each keeping it in its own DATA_DIR', { timeout: 60_000 }, async () => {
    const [fileA, fileB] = [keyFileOf(cluster.apis[0]?.output ?? []), keyFileOf(cluster.apis[1]?.output ?? [])];
    expect(fileA).not.toBe(fileB);
    const key = (await readFile(fileA, 'utf8')).trim();
    expect(key).toMatch(/^i2m_/);
    expect((await readFile(fileB, 'utf8')).trim()).toBe(key);

    for (const index of [0, 1]) {
      expect((await fetch(api(index, '/admin/system-info'), { headers: auth(key) })).status).toBe(200);
      expect((await fetch(api(index, '/admin/system-info'), { headers: auth(`${key}x`) })).status).toBe(401);
    }

    // A batch uploaded to A with it, followed on B; B's counts include what A and the worker stored.
    const upload = await uploadBatch(api(0, '/upload/batch'), { key, files: [{ name: 'a.png', data: await makePhoto() }, { name: 'b.png', data: await makePhoto() }] });
    expect(upload.status).toBe(200);
    const { job_id } = (await upload.json()) as { job_id: string };
    expect((await waitForJobStatus(api(1, `/status/${job_id}`), key)).status).toBe('completed');

    const storage = new S3BlobStorage({ client: createS3Client({ endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }), bucket: s3.bucket, prefix: s3Prefix, tempDir: '/nonexistent' });
    let objects = 0;
    let bytes = 0;
    for await (const blob of storage.list('jobs')) {
      objects += 1;
      bytes += blob.size;
    }
    expect(objects).toBeGreaterThanOrEqual(4); // two photos and two models (and previews)
    for (const index of [0, 1]) {
      const info = (await (await fetch(api(index, '/admin/system-info'), { headers: auth(key) })).json()) as { storage: unknown };
      expect(info.storage).toEqual({ backend: 's3', objects, bytes });
    }
  });
});
