import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FsBlobStorage } from '@image2model/core';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { startS3Server, type S3TestServer } from '@image2model/testing/s3-server';
import { parseEnv } from '../../src/env.js';
import { openBlobStorage, type OpenedStorage } from '../../src/process/blob-storage.js';
import { verifySharedStorage } from '../../src/process/shared-storage.js';

const redisUp = await requireRedis();

/** The AWS SDK reads credentials from the process environment (its standard chain), as a server process does. */
function useCredentials(s3: S3TestServer, secret = s3.secretAccessKey): void {
  vi.stubEnv('AWS_ACCESS_KEY_ID', s3.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', secret);
}

describe.skipIf(!redisUp)('verifySharedStorage', () => {
  let redis: Redis;
  let s3: S3TestServer;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    redis = await connectRedis();
    s3 = await startS3Server();
    useCredentials(s3);
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });
  afterAll(async () => {
    await redis.quit();
    await s3.close();
    vi.unstubAllEnvs();
  });

  async function setup() {
    const prefix = newPrefix();
    const dataDir = await mkdtemp(join(tmpdir(), 'i2m-volume-'));
    cleanups.push(() => deleteKeys(redis, prefix), () => rm(dataDir, { recursive: true, force: true }));
    return { prefix, dataDir, opened: { storage: new FsBlobStorage({ root: dataDir }), backend: 'fs', location: dataDir } satisfies OpenedStorage };
  }

  async function bucketStorage(s3Prefix: string): Promise<OpenedStorage> {
    const dataDir = await mkdtemp(join(tmpdir(), 'i2m-private-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    return openBlobStorage(parseEnv({ ...s3.env, S3_PREFIX: s3Prefix }), dataDir);
  }

  it('lets every process that shares the volume start, even when they all start at once', async () => {
    const { prefix, dataDir, opened } = await setup();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => verifySharedStorage({ opened, redis, prefix, role: i % 2 ? 'worker' : 'API' })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await readdir(join(dataDir, '.image2model'))).toEqual([`volume-${results[0]?.id ?? ''}`]);
    // A restart of the deployment finds the same marker.
    expect(await verifySharedStorage({ opened, redis, prefix, role: 'worker' })).toEqual({ id: results[0]?.id, created: false });
  });

  it('refuses a process whose DATA_DIR is another folder, saying what to fix', async () => {
    const { prefix, opened } = await setup();
    await verifySharedStorage({ opened, redis, prefix, role: 'API' });
    const elsewhere = await mkdtemp(join(tmpdir(), 'i2m-volume-'));
    cleanups.push(() => rm(elsewhere, { recursive: true, force: true }));
    await expect(verifySharedStorage({ opened: { storage: new FsBlobStorage({ root: elsewhere }), backend: 'fs', location: elsewhere }, redis, prefix, role: 'worker' })).rejects.toThrow(
      new RegExp(`DATA_DIR \\(${elsewhere}\\) is not the volume[\\s\\S]*This worker process cannot read[\\s\\S]*delete the Redis key ${prefix}data_dir_marker`),
    );
  });

  it('lets processes with private DATA_DIRs start on one bucket, and refuses one on another prefix of it', async () => {
    const { prefix } = await setup();
    const s3Prefix = `${prefix.replace(/[^A-Za-z0-9]/g, '')}/`;
    const [a, b] = await Promise.all([bucketStorage(s3Prefix), bucketStorage(s3Prefix)]);
    const results = await Promise.all([verifySharedStorage({ opened: a, redis, prefix, role: 'API' }), verifySharedStorage({ opened: b, redis, prefix, role: 'worker' })]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const other = await bucketStorage(`other-${s3Prefix}`);
    await expect(verifySharedStorage({ opened: other, redis, prefix, role: 'worker' })).rejects.toThrow(/The bucket s3:\/\/image2model-test\/other-.* is not the bucket the other Image2Model processes use[\s\S]*SAME S3_BUCKET, S3_PREFIX and S3_ENDPOINT/);
  });
});

describe('openBlobStorage', () => {
  let s3: S3TestServer;
  let dataDir: string;
  beforeAll(async () => {
    s3 = await startS3Server();
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-private-'));
  });
  beforeEach(() => useCredentials(s3));
  afterAll(async () => {
    vi.unstubAllEnvs();
    await s3.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('uses DATA_DIR without S3_BUCKET, and the bucket with it', async () => {
    expect((await openBlobStorage(parseEnv({}), dataDir)).backend).toBe('fs');
    const opened = await openBlobStorage(parseEnv(s3.env), dataDir);
    expect(opened).toMatchObject({ backend: 's3', location: `s3://${s3.bucket}/ at ${s3.endpoint}` });
    expect(await opened.storage.checkWritable()).toBe(true);
  });

  it.each([
    ['a wrong secret', { secret: 'wrong' }, /does not accept a test write: .*HTTP 403/],
    ['a bucket that does not exist', { S3_BUCKET: 'no-such-bucket' }, /s3:\/\/no-such-bucket\/ .*does not accept a test write: .*NoSuchBucket.*HTTP 404[\s\S]*the bucket must exist/],
    ['an endpoint nothing answers at', { S3_ENDPOINT: 'http://127.0.0.1:9' }, /does not accept a test write: .*ECONNREFUSED[\s\S]*S3_ENDPOINT/],
  ])('stops the start with what to fix for %s', async (_label, { secret, ...change }: Record<string, string>, message) => {
    if (secret) useCredentials(s3, secret);
    await expect(openBlobStorage(parseEnv({ ...s3.env, ...change }), dataDir)).rejects.toThrow(message);
  });
});
