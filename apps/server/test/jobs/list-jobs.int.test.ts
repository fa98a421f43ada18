import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { ADMIN_KEY, OTHER_USER_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';
import { CLUSTER_ADMIN_KEY, CLUSTER_KEY, startCluster, type Cluster } from '@image2model/testing/cluster';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import type { Redis } from 'ioredis';

const redisUp = await requireRedis();

interface ListItem {
  job_id: string;
  status: string;
  created_at: string;
}
interface Page {
  jobs: ListItem[];
  next_cursor: string | null;
}

const modes = [
  { name: 'embedded', distributed: false },
  { name: 'distributed', distributed: true },
] as const;

describe.each(modes)('GET /api/v1/jobs ($name mode, over HTTP)', ({ distributed }) => {
  const skip = distributed && !redisUp;
  let redis: Redis | undefined;
  let prefix = '';
  let dataDir = '';
  let server: TestServer | undefined;
  let provider: FakeModelProvider;
  let photo: Buffer;

  beforeAll(async () => {
    if (skip) return;
    photo = await makePhoto({ width: 16, height: 16 });
    if (distributed) redis = await connectRedis();
  });
  afterAll(async () => {
    await redis?.quit();
  });
  afterEach(async () => {
    provider?.release();
    await server?.stop();
    server = undefined;
    if (redis && prefix) await deleteKeys(redis, prefix);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function start(opts: { keepData?: boolean } = {}) {
    if (!opts.keepData) {
      dataDir = await mkdtemp(join(tmpdir(), 'i2m-list-'));
      prefix = newPrefix();
    }
    provider = new FakeModelProvider();
    provider.hold(); // jobs stay processing until cancelled (no worker runs at all in distributed mode)
    server = await startTestServer({ provider, dataDir, env: distributed ? { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: prefix } : {} });
    return server;
  }

  async function upload(key = USER_KEY): Promise<string> {
    const res = await uploadBatch(server?.api('/upload/batch') ?? '', { key, files: [{ name: 'p.png', data: photo }] });
    expect(res.status).toBe(200);
    return ((await res.json()) as { job_id: string }).job_id;
  }
  async function uploads(count: number, key = USER_KEY): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await upload(key));
    return ids;
  }
  async function list(query = '', key: string | null = USER_KEY): Promise<{ status: number; body: Page & { detail?: { code: string } } }> {
    const res = await fetch(server?.api(`/jobs${query}`) ?? '', { headers: key ? auth(key) : {} });
    return { status: res.status, body: (await res.json()) as Page & { detail?: { code: string } } };
  }
  const idsOf = async (query: string, key = USER_KEY) => {
    const { status, body } = await list(query, key);
    expect(status, query).toBe(200);
    return body.jobs.map((j) => j.job_id);
  };
  async function cancel(jobId: string) {
    const res = await fetch(server?.api(`/jobs/${jobId}/cancel`) ?? '', { method: 'POST', headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
  }

  it.skipIf(skip)('lists the key’s own jobs newest first, with limit, status and created_at filters, over REST and /trpc', async () => {
    await start();
    const [a, b, c] = await uploads(3);
    const other = await upload(OTHER_USER_KEY);
    await cancel(a as string);
    const { body } = await list();
    expect(body.jobs.map((j) => j.job_id)).toEqual([c, b, a]);
    expect(body.next_cursor).toBeNull();
    expect(body.jobs[2]).toMatchObject({ job_id: a, status: 'cancelled', total_files: 1, cancelled_files: 1, progress: 100 });
    expect(Object.keys(body.jobs[0] ?? {})).toEqual(['job_id', 'status', 'created_at', 'updated_at', 'expires_at', 'total_files', 'processed_files', 'failed_files', 'cancelled_files', 'progress']);
    expect(await idsOf('?limit=2')).toEqual([c, b]);
    expect(await idsOf('?status=cancelled')).toEqual([a]);
    expect(await idsOf('?status=processing')).toEqual([c, b]);
    expect(await idsOf('?status=cancelled&status=processing')).toEqual([c, b, a]);
    expect(await idsOf('?status=completed,cancelled')).toEqual([a]);
    const createdB = body.jobs[1]?.created_at as string;
    expect(await idsOf(`?created_before=${encodeURIComponent(createdB)}`)).toEqual([a]);
    expect(await idsOf(`?created_after=${encodeURIComponent(createdB)}`)).toEqual([c]);
    expect(await idsOf('', OTHER_USER_KEY)).toEqual([other]);
    // The same procedure over /trpc (the typed client's path).
    const trpc = await fetch(`${server?.url}/trpc/jobs.list?input=${encodeURIComponent(JSON.stringify({ json: { limit: 1, status: ['processing'] } }))}`, { headers: auth(USER_KEY) });
    expect(trpc.status).toBe(200);
    expect(((await trpc.json()) as { result: { data: { json: Page } } }).result.data.json.jobs.map((j) => j.job_id)).toEqual([c]);
  });

  it.skipIf(skip)('walks every page once while new jobs are created, and refuses forged and foreign cursors', async () => {
    await start();
    const existing = await uploads(7);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { body }: { body: Page } = await list(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...body.jobs.map((j) => j.job_id));
      cursor = body.next_cursor;
      await upload(); // created during the walk: never part of it
    } while (cursor);
    expect(seen).toEqual([...existing].reverse());

    const first = await list('?limit=1');
    const valid = first.body.next_cursor as string;
    const foreign = await list(`?cursor=${encodeURIComponent(valid)}`, OTHER_USER_KEY);
    expect(foreign.status).toBe(400);
    expect(foreign.body.detail?.code).toBe('VALIDATION_ERROR');
    const [payload, mac] = valid.split('.') as [string, string];
    const [, jobId] = JSON.parse(Buffer.from(payload, 'base64url').toString()) as [string, string];
    const forged = `${Buffer.from(JSON.stringify(['9999-12-31T00:00:00.000Z', jobId])).toString('base64url')}.${mac}`;
    for (const query of [`?cursor=${encodeURIComponent(forged)}`, '?cursor=abc', '?limit=0', '?limit=101', '?limit=ten', '?status=finished', '?created_after=yesterday']) {
      const answer = await list(query);
      expect(answer.status, query).toBe(400);
      expect(answer.body.detail?.code, query).toBe('VALIDATION_ERROR');
    }
  });

  it.skipIf(skip)('shows an admin key only its own jobs; a session_id lists nothing (401)', async () => {
    await start();
    const [jobId] = await uploads(1);
    expect(await idsOf('', ADMIN_KEY)).toEqual([]);
    const status = await fetch(server?.api(`/status/${jobId}`) ?? '', { headers: auth(USER_KEY) });
    const { session_id } = (await status.json()) as { session_id: string };
    const bySession = await list(`?session_id=${encodeURIComponent(session_id)}`, null);
    expect(bySession.status).toBe(401);
    expect(bySession.body.detail?.code).toBe('AUTHENTICATION_REQUIRED');
  });

  it.skipIf(skip)('deletes a cleaned-up job from the index', async () => {
    await start();
    const [gone, kept] = await uploads(2);
    await cancel(gone as string);
    const cleanup = await fetch(server?.api('/admin/cleanup') ?? '', { method: 'POST', headers: { ...auth(ADMIN_KEY), 'Content-Type': 'application/json' }, body: JSON.stringify({ older_than_hours: 0 }) });
    expect(cleanup.status).toBe(200);
    expect(await idsOf('')).toEqual([kept]);
    expect(await idsOf('?status=cancelled')).toEqual([]);
  });

  it.skipIf(skip)('lists jobs made before the index existed, after a restart migrates them', async () => {
    await start();
    const made = await uploads(3);
    await cancel(made[0] as string);
    await server?.stop();
    server = undefined;
    // What a data directory (or a Redis) from before the index holds: the jobs, no index.
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      const index = keys.filter((key) => key.startsWith(`${prefix}owner:`) || [`${prefix}jobs:finished`, `${prefix}jobs:processing`, `${prefix}index:version`].includes(key));
      if (index.length > 0) await redis.del(...index);
      for (const key of keys.filter((k) => k.endsWith(':tally'))) await redis.hdel(key, 'prefix', 'owner', 'member', 'job_id', 'finished_member');
    } else {
      for (const suffix of ['', '-wal', '-shm']) await rm(join(dataDir, `job-index.sqlite${suffix}`), { force: true });
    }
    await start({ keepData: true });
    expect(await idsOf('')).toEqual([...made].reverse());
    expect(await idsOf('?status=cancelled')).toEqual([made[0]]);
  });
});

describe.skipIf(!redisUp)('deleting a job in distributed mode (a cluster: an API and a worker process)', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
  });

  async function keysOf(redis: Redis, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let scan = '0';
    do {
      const [next, batch] = await redis.scan(scan, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      scan = next;
      keys.push(...batch);
    } while (scan !== '0');
    return keys;
  }

  it('leaves no Redis key, and no index member, naming a job /admin/cleanup (retention’s path) deleted', { timeout: 90_000 }, async () => {
    cluster = await startCluster({ apis: 1, workers: 1 });
    const api = cluster.apis[0]?.url ?? '';
    const photo = await makePhoto({ width: 32, height: 32 });
    const upload = async () => {
      const res = await uploadBatch(`${api}/api/v1/upload/batch`, { key: CLUSTER_KEY, files: [{ name: 'p.png', data: photo }] });
      return ((await res.json()) as { job_id: string }).job_id;
    };
    const jobs = [await upload(), await upload()];
    for (const jobId of jobs) await waitForJobStatus(`${api}/api/v1/status/${jobId}`, CLUSTER_KEY);
    const redis = await connectRedis(cluster.redisUrl);
    try {
      const cleanup = await fetch(`${api}/api/v1/admin/cleanup`, { method: 'POST', headers: { ...auth(CLUSTER_ADMIN_KEY), 'Content-Type': 'application/json' }, body: JSON.stringify({ older_than_hours: 0 }) });
      expect(cleanup.status).toBe(200);
      const listed = await fetch(`${api}/api/v1/jobs`, { headers: auth(CLUSTER_KEY) });
      expect(((await listed.json()) as Page).jobs).toEqual([]);
      const keys = await keysOf(redis, cluster.prefix);
      for (const jobId of jobs) {
        expect(keys.filter((key) => key.includes(jobId))).toEqual([]);
        for (const key of keys) {
          const type = await redis.type(key);
          const members = type === 'zset' ? await redis.zrange(key, '0', '-1') : type === 'set' ? await redis.smembers(key) : [];
          expect(members.filter((member) => member.includes(jobId)), key).toEqual([]);
        }
      }
    } finally {
      await redis.quit();
    }
  });
});
