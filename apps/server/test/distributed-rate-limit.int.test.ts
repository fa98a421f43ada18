import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRedis } from '@image2model/testing/redis';
import { CLUSTER_ADMIN_KEY, CLUSTER_KEY, startCluster, type Cluster } from '@image2model/testing/cluster';
import { auth } from '@image2model/testing/http';

const redisUp = await requireRedis();

describe.skipIf(!redisUp)('rate limits shared by every API process', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ apis: 3, workers: 0, env: { RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_PER_HOUR: '1000' } });
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('allows 60 requests per minute across three API processes in all, not 60 each', { timeout: 60_000 }, async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 9; round++) {
      // Ten at a time, spread over the three processes.
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          fetch(`${cluster.apis[(round * 10 + i) % 3]?.url ?? ''}/api/v1/status/batch_20990101_000000_aaaaaa`, { headers: auth(CLUSTER_KEY) }),
        ),
      );
      for (const res of answers) {
        statuses.push(res.status);
        if (res.status === 429) {
          expect(await res.json()).toEqual({ detail: { code: 'RATE_LIMIT_EXCEEDED', message: expect.any(String), details: expect.any(Object) } });
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        } else {
          await res.arrayBuffer();
        }
      }
    }
    expect(statuses.filter((s) => s === 404)).toHaveLength(60); // unknown job: counted, answered
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);

    // Each process counted its own rejections; together, every one of the 30.
    let rejections = 0;
    for (const api of cluster.apis) {
      const text = await (await fetch(`${api.url}/metrics`, { headers: auth(CLUSTER_ADMIN_KEY) })).text();
      rejections += Number(/image2model_rate_limit_rejections_total\{[^}]*window="minute"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    }
    expect(rejections).toBe(30);
  });
});
