import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, requireRedis } from '@image2model/testing/redis';
import { CLUSTER_KEY, startCluster, type Cluster } from '@image2model/testing/cluster';
import { auth, uploadBatch, waitForJobStatus, type UploadPart } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';

const redisUp = await requireRedis();

describe.skipIf(!redisUp)('Idempotency-Key, distributed mode: two API processes share the keys in Redis', () => {
  let cluster: Cluster;
  let redis: Redis;
  let photos: UploadPart[];

  beforeAll(async () => {
    cluster = await startCluster({ apis: 2, workers: 1 });
    redis = await connectRedis(cluster.redisUrl);
    photos = await Promise.all(['#c04020', '#2040c0', '#20c040'].map(async (colour, i) => ({ name: `photo-${i}.png`, data: await makePhoto({ colour, width: 640, height: 480 }) })));
  }, 180_000);
  afterAll(async () => {
    await redis?.quit();
    await cluster?.stop();
  });

  const api = (index: number, path: string) => `${cluster.apis[index]?.url ?? ''}/api/v1${path}`;
  const upload = (index: number, key: string, files: UploadPart[] = photos) => uploadBatch(api(index, '/upload/batch'), { key: CLUSTER_KEY, files, headers: { 'Idempotency-Key': key } });
  const jobCount = () => redis.scard(`${cluster.prefix}jobs`);

  it('two concurrent uploads with one key on two instances create one job; every answer is that job or 409 in use', { timeout: 120_000 }, async () => {
    for (let round = 0; round < 6; round++) {
      const before = await jobCount();
      const key = `race-${round}`;
      const answers = await Promise.all([upload(0, key), upload(1, key)]);
      const jobIds = new Set<string>();
      for (const res of answers) {
        const body = (await res.json()) as { job_id?: string; detail?: { code: string; details: Record<string, unknown> } };
        if (res.status === 200) jobIds.add(body.job_id ?? '');
        else expect({ status: res.status, body }).toEqual({ status: 409, body: { detail: { code: 'CONFLICT', message: expect.any(String), details: { reason: 'idempotency_key_in_use' } } } });
      }
      expect(jobIds.size, `round ${round}`).toBe(1);
      expect(await jobCount()).toBe(before + 1);
      // Afterwards, either instance replays the one answer.
      for (const index of [0, 1]) {
        const replay = await upload(index, key);
        expect(replay.status).toBe(200);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(((await replay.json()) as { job_id: string }).job_id).toBe([...jobIds][0]);
      }
      expect(await jobCount()).toBe(before + 1);
    }
  });

  it('replays the first status and body on the other instance, and answers 422 there to a changed upload', { timeout: 60_000 }, async () => {
    const first = await upload(0, 'cross-1');
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const body = await first.json();
    const before = await jobCount();
    const replay = await upload(1, 'cross-1');
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(body);
    const changed = await upload(1, 'cross-1', [...photos].reverse());
    expect(changed.status).toBe(422);
    expect(await changed.json()).toEqual({ detail: { code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String), details: { header: 'Idempotency-Key' } } });
    expect(await jobCount()).toBe(before);
  });

  it('generate-single: one key over /trpc on one instance and REST on the other is one request', { timeout: 120_000 }, async () => {
    const { job_id } = (await (await uploadBatch(api(0, '/upload/batch'), { key: CLUSTER_KEY, files: [photos[0] as UploadPart] })).json()) as { job_id: string };
    await waitForJobStatus(api(0, `/status/${job_id}`), CLUSTER_KEY);
    const trpc = await fetch(`${cluster.apis[0]?.url ?? ''}/trpc/models.generateSingle`, {
      method: 'POST',
      headers: { ...auth(CLUSTER_KEY), 'Content-Type': 'application/json' },
      body: JSON.stringify({ json: { job_id, file_id: 'file_001', idempotency_key: 'regen-cross' } }),
    });
    expect(trpc.status).toBe(200);
    const answer = ((await trpc.json()) as { result: { data: { json: unknown } } }).result.data.json;
    const rest = await fetch(api(1, '/models/generate-single'), {
      method: 'POST',
      headers: { ...auth(CLUSTER_KEY), 'Content-Type': 'application/json', 'Idempotency-Key': 'regen-cross' },
      body: JSON.stringify({ job_id, file_id: 'file_001' }),
    });
    expect(rest.status).toBe(200);
    expect(rest.headers.get('idempotent-replayed')).toBe('true');
    expect(await rest.json()).toEqual(answer);
  });
});
