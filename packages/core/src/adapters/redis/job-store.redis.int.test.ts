import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { describeJobStoreContract, makeFileRecord, makeJobRecord } from '../../jobs/job-store.contract.js';
import type { UpdateResult } from '../../jobs/job-store.js';
import { RedisJobStore } from './job-store.redis.js';

const redisUp = await requireRedis();

/** Resolves for everyone once `parties` callers have arrived. */
function createBarrier(parties: number) {
  let arrived = 0;
  let release = (): void => undefined;
  const open = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    arrive(): Promise<void> {
      arrived += 1;
      if (arrived === parties) release();
      return open;
    },
  };
}

/**
 * Holds a client's next command until every client of the barrier has sent one, then releases
 * them together: whatever each update reads first, it reads before any of them writes.
 */
function holdNextCommand(redis: Redis, barrier: ReturnType<typeof createBarrier>): void {
  const original = redis.sendCommand.bind(redis);
  let held = false;
  redis.sendCommand = ((command: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]) => {
    if (held || stream !== undefined) return original(command, stream);
    held = true;
    void barrier.arrive().then(() => original(command));
    return command.promise;
  }) as Redis['sendCommand'];
}

describe.skipIf(!redisUp)('RedisJobStore', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const extraClients: Redis[] = [];

  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterEach(async () => {
    await Promise.all(prefixes.splice(0).map((prefix) => deleteKeys(redis, prefix)));
    await Promise.all(extraClients.splice(0).map((client) => client.quit()));
  });
  afterAll(async () => {
    await redis.quit();
  });

  describeJobStoreContract('RedisJobStore', async () => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    return {
      store: new RedisJobStore({ redis, prefix }),
      async reopen() {
        // Another process: a new connection, nothing shared but Redis.
        const client = await connectRedis();
        extraClients.push(client);
        return new RedisJobStore({ redis: client, prefix });
      },
      async cleanup() {},
      // Stream ids: the later millisecond wins over a higher sequence number.
      eventIds: ['1700000000000-7', '1700000000001-0'],
    };
  });

  async function seedProcessingJob(store: RedisJobStore, fileCount: number) {
    const job = makeJobRecord();
    const files = Array.from({ length: fileCount }, (_, i) => makeFileRecord(i, job.job_id, { status: 'processing' }));
    await store.create(job, files);
    return job.job_id;
  }

  async function twoWorkers() {
    const prefix = newPrefix();
    prefixes.push(prefix);
    const clients = [await connectRedis(), await connectRedis()] as const;
    extraClients.push(...clients);
    const barrier = createBarrier(2);
    for (const client of clients) holdNextCommand(client, barrier);
    return { prefix, clients, stores: clients.map((client) => new RedisJobStore({ redis: client, prefix })) };
  }

  it('finishes a job exactly once when two workers complete its last two files at the same instant', async () => {
    const { prefix, stores } = await twoWorkers();
    const jobId = await seedProcessingJob(new RedisJobStore({ redis, prefix }), 2);
    const results = await Promise.all(
      stores.map((store, i) => store.updateFile(jobId, `file_00${i + 1}`, { status: 'completed', progress: 100 }, { status: ['processing'] })),
    );
    expect(results.filter((r: UpdateResult | null) => r?.job_finished)).toHaveLength(1);
    expect(results.map((r) => r?.job_status).sort()).toEqual(['completed', 'processing']); // serialized: one saw the other
    const job = await new RedisJobStore({ redis, prefix }).get(jobId);
    expect(job?.files.map((f) => [f.status, f.progress])).toEqual([
      ['completed', 100],
      ['completed', 100],
    ]);
    expect(await new RedisJobStore({ redis, prefix }).counts()).toEqual({ active: 0, completed: 1, failed: 0, partial: 0, cancelled: 0 });
  });

  it('forces the interleaving for real: a read-modify-write update under the same barrier loses the finish', async () => {
    const { prefix, clients } = await twoWorkers();
    const jobId = await seedProcessingJob(new RedisJobStore({ redis, prefix }), 2);
    const tally = `${prefix}job:${jobId}:tally`;
    // What a naive implementation does: read the tally, compute, write it back.
    const naiveComplete = async (client: Redis, fileId: string) => {
      const unfinished = Number(await client.hget(tally, 'unfinished'));
      await client.hset(`${prefix}job:${jobId}:file:${fileId}`, 'status', '"completed"');
      await client.hset(tally, 'unfinished', unfinished - 1);
      return unfinished - 1 === 0; // "I finished the job"
    };
    const finished = await Promise.all(clients.map((client, i) => naiveComplete(client, `file_00${i + 1}`)));
    expect(finished).toEqual([false, false]); // nobody announces `done`
    expect(await redis.hget(tally, 'unfinished')).toBe('1'); // and an update is lost
  });

  it('keeps progress a maximum when two workers report it at the same instant', async () => {
    const { prefix, stores } = await twoWorkers();
    const jobId = await seedProcessingJob(new RedisJobStore({ redis, prefix }), 1);
    await Promise.all([stores[0]?.updateFile(jobId, 'file_001', { progress: 70 }), stores[1]?.updateFile(jobId, 'file_001', { progress: 30 })]);
    expect((await new RedisJobStore({ redis, prefix }).getFile(jobId, 'file_001'))?.progress).toBe(70);
  });

  it('lets only one of two concurrent generate-single restarts through', async () => {
    const { prefix, stores } = await twoWorkers();
    const seeder = new RedisJobStore({ redis, prefix });
    const jobId = await seedProcessingJob(seeder, 1);
    await seeder.updateFile(jobId, 'file_001', { status: 'failed', error: { code: 'PROCESSING_ERROR', message: 'x' } });
    const results = await Promise.all(
      stores.map((store) => store.restartFile(jobId, 'file_001', { face_limit: null, model_task_id: null }, { status: ['completed', 'failed'] })),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect((await seeder.getFile(jobId, 'file_001'))?.generation).toBe(2);
  });

  it('stores and returns fields it does not know about, so new record fields flow through', async () => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    const store = new RedisJobStore({ redis, prefix });
    const job = { ...makeJobRecord(), options: { texture: 'HD', pbr: true } };
    const file = { ...makeFileRecord(0, job.job_id), tripo: { seed: 7, quad: false } };
    await store.create(job, [file]);
    expect(await store.get(job.job_id)).toEqual({ job, files: [file] });
    const patch = { status: 'processing' as const, extra_note: ['a', 'b'] } as Parameters<RedisJobStore['updateFile']>[2];
    const updated = await store.updateFile(job.job_id, 'file_001', patch);
    expect(updated?.file).toMatchObject({ tripo: { seed: 7, quad: false }, extra_note: ['a', 'b'] });
  });

  it('reads a file hash written before warnings had codes: string warnings become GENERATOR_NOTICE, no shape is null', async () => {
    const prefix = newPrefix();
    prefixes.push(prefix);
    const store = new RedisJobStore({ redis, prefix });
    const job = makeJobRecord();
    await store.create(job, [makeFileRecord(0, job.job_id, { status: 'completed' })]);
    const key = `${prefix}job:${job.job_id}:file:file_001`;
    await redis.hset(key, 'warnings', JSON.stringify(['Used the card fallback']));
    await redis.hdel(key, 'shape');
    const expected = { warnings: [{ code: 'GENERATOR_NOTICE', message: 'Used the card fallback' }], shape: null };
    expect(await store.getFile(job.job_id, 'file_001')).toMatchObject(expected);
    expect((await store.get(job.job_id))?.files[0]).toMatchObject(expected);
    expect((await store.updateFile(job.job_id, 'file_001', { progress: 100 }))?.file).toMatchObject(expected);
  });

  it('answers SERVICE_UNAVAILABLE (503, retryable) while Redis cannot be reached', async () => {
    const { Redis: RedisClient } = await import('ioredis');
    const offline = new RedisClient('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
    offline.on('error', () => undefined);
    const store = new RedisJobStore({ redis: offline, prefix: newPrefix() });
    await expect(store.get('batch_20240101_000000_abcdef')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, retryable: true });
    offline.disconnect();
  });
});
