import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { box, renderFourViews } from '@image2model/mesh/test-support/multiview-objects';
import { CLUSTER_KEY, startCluster, type Cluster } from '@image2model/testing/cluster';
import { auth, uploadMultiview, waitForJobStatus } from '@image2model/testing/http';
import { requireRedis } from '@image2model/testing/redis';

const redisUp = await requireRedis();

describe.skipIf(!redisUp)('a multiview upload in distributed mode', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ apis: 1, workers: 1 });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('is uploaded to an API process and completed by a worker process, its views kept in Redis', { timeout: 120_000 }, async () => {
    const api = (path: string) => `${cluster.apis[0]?.url ?? ''}/api/v1${path}`;
    const renders = await renderFourViews(box());
    const views = { front: { name: 'front.png', data: renders.front }, left: { name: 'left.png', data: renders.left } };
    const res = await uploadMultiview(api('/upload/multiview'), { key: CLUSTER_KEY, views, fields: { face_limit: '1000' } });
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    const done = await waitForJobStatus(api(`/status/${job_id}`), CLUSTER_KEY, (b) => b.status !== 'processing');
    expect(done.status).toBe('completed');
    expect(done.files[0]).toMatchObject({ filename: 'front.png', shape: 'hull', views: { front: 'front.png', left: 'left.png' } });
    const model = await fetch(api(`/download/${job_id}/file_001/model`), { headers: auth(CLUSTER_KEY) });
    expect(Buffer.from(await model.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('glTF');
  });
});
