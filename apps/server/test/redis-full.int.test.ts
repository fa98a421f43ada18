import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { connectRedis, requireRedis, startPrivateRedis, type PrivateRedis } from '@image2model/testing/redis';
import { CLUSTER_KEY, startCluster, type Cluster } from '@image2model/testing/cluster';
import { auth, uploadBatch, waitFor, type JobStatusBody } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';

const redisUp = await requireRedis();
const FILLER = 'filler:';

const usedMemory = async (redis: Redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);

/**
 * Writes values until Redis refuses even a small one with OOM (maxmemory reached, noeviction), then
 * holds it full: maxmemory drops to 1 MiB, far below what is used, so buffers freed afterwards (a
 * request's, the AOF's, which Redis does not count against the limit) cannot make room again.
 */
async function fill(redis: Redis): Promise<void> {
  let i = 0;
  for (const size of [64 * 1024, 1024, 16]) {
    const value = 'x'.repeat(size);
    for (;;) {
      try {
        await redis.set(`${FILLER}${(i += 1)}`, value);
      } catch (error) {
        expect(String(error)).toMatch(/^ReplyError: OOM/);
        break;
      }
    }
  }
  await redis.config('SET', 'maxmemory', String(1024 * 1024));
}

async function empty(redis: Redis, maxmemory: number): Promise<void> {
  const keys = await redis.keys(`${FILLER}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.config('SET', 'maxmemory', String(maxmemory));
}

describe.skipIf(!redisUp)('Redis full (maxmemory reached, noeviction)', () => {
  let privateRedis: PrivateRedis;
  let cluster: Cluster;
  let redis: Redis;
  let api: string;
  let maxmemory: number;

  beforeAll(async () => {
    privateRedis = await startPrivateRedis();
    cluster = await startCluster({ apis: 1, workers: 1, redisUrl: privateRedis.url });
    api = `${cluster.apis[0]?.url ?? ''}/api/v1`;
    redis = await connectRedis(privateRedis.url);
    redis.options.maxRetriesPerRequest = 0;
    maxmemory = (await usedMemory(redis)) + 4 * 1024 * 1024;
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.config('SET', 'maxmemory', String(maxmemory));
  }, 180_000);
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
    await privateRedis?.destroy();
  });

  const status = async (jobId: string) => (await (await fetch(`${api}/status/${jobId}`, { headers: auth(CLUSTER_KEY) })).json()) as JobStatusBody;

  it('answers 503 SERVICE_UNAVAILABLE (never 500) while full, and leaves no file processing', { timeout: 120_000 }, async () => {
    const photo = await makePhoto({ width: 512, height: 512, format: 'jpeg' });
    const files = Array.from({ length: 6 }, (_, i) => ({ name: `p${i}.jpg`, data: photo }));
    const before = await uploadBatch(`${api}/upload/batch`, { key: CLUSTER_KEY, files });
    expect(before.status).toBe(200);
    const { job_id } = (await before.json()) as { job_id: string };
    await waitFor(async () => ((await status(job_id)).files.some((f) => f.status !== 'pending') ? true : undefined), { what: 'the worker to start' });

    await fill(redis); // in the middle of the batch

    const upload = await uploadBatch(`${api}/upload/batch`, { key: CLUSTER_KEY, files: files.slice(0, 1) });
    expect(upload.status).toBe(503);
    expect(await upload.json()).toEqual({ detail: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String), details: expect.any(Object) } });
    const retry = await fetch(`${api}/models/generate-single`, {
      method: 'POST',
      headers: { ...auth(CLUSTER_KEY), 'Content-Type': 'application/json' },
      body: JSON.stringify({ job_id, file_id: 'file_001' }),
    });
    expect([409, 503]).toContain(retry.status);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // the worker meets the full Redis

    await empty(redis, maxmemory);
    const final = await waitFor(async () => {
      const body = await status(job_id);
      return body.status === 'processing' ? undefined : body;
    }, { timeoutMs: 60_000, what: 'the batch to finish once Redis has room' });
    expect(final.files.filter((f) => f.status === 'processing' || f.status === 'pending')).toEqual([]);
    for (const file of final.files) if (file.status === 'failed') expect(file.error?.code).toBe('SERVICE_UNAVAILABLE');

    const output = [...(cluster.apis[0]?.output ?? []), ...cluster.workers.flatMap((w) => w.output)].join('\n');
    expect(output).not.toMatch(/"status":500/);
    expect(output).not.toMatch(/Internal processing error/);
    expect(output).not.toMatch(/"code":"PROCESSING_ERROR"/);
  });
});
