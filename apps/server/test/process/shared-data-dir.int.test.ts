import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { verifySharedDataDir } from '../../src/process/shared-data-dir.js';

const redisUp = await requireRedis();

describe.skipIf(!redisUp)('verifySharedDataDir', () => {
  let redis: Redis;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });
  afterAll(async () => {
    await redis.quit();
  });

  async function setup() {
    const prefix = newPrefix();
    const dataDir = await mkdtemp(join(tmpdir(), 'i2m-volume-'));
    cleanups.push(() => deleteKeys(redis, prefix), () => rm(dataDir, { recursive: true, force: true }));
    return { prefix, dataDir };
  }

  it('lets every process that shares the volume start, even when they all start at once', async () => {
    const { prefix, dataDir } = await setup();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => verifySharedDataDir({ dataDir, redis, prefix, role: i % 2 ? 'worker' : 'API' })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await readdir(join(dataDir, '.image2model'))).toEqual([`volume-${results[0]?.id ?? ''}`]);
    // A restart of the deployment finds the same marker.
    expect(await verifySharedDataDir({ dataDir, redis, prefix, role: 'worker' })).toEqual({ id: results[0]?.id, created: false });
  });

  it('refuses a process whose DATA_DIR is another folder, saying what to fix', async () => {
    const { prefix, dataDir } = await setup();
    await verifySharedDataDir({ dataDir, redis, prefix, role: 'API' });
    const elsewhere = await mkdtemp(join(tmpdir(), 'i2m-volume-'));
    cleanups.push(() => rm(elsewhere, { recursive: true, force: true }));
    await expect(verifySharedDataDir({ dataDir: elsewhere, redis, prefix, role: 'worker' })).rejects.toThrow(
      new RegExp(`DATA_DIR \\(${elsewhere}\\) is not the volume[\\s\\S]*This worker process cannot read[\\s\\S]*delete the Redis key ${prefix}data_dir_marker`),
    );
  });
});
