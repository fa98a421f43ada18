import type { Redis } from 'ioredis';
import type { UnfedJobs } from '../../webhooks/unfed-jobs.js';
import { callRedis } from './redis-errors.js';
import { unfedWebhookJobsKey } from './redis-keys.js';

/**
 * Clears a job's mark when the marked event (a stream id, `<ms>-<seq>`) is at or before ARGV 2.
 * KEYS: 1 the unfed hash. ARGV: 1 job id, 2 the event id fed up to. Returns 1 when cleared.
 */
const CLEAR_UP_TO = `
local mark = redis.call('HGET', KEYS[1], ARGV[1])
if not mark then return 0 end
local ms, seq = string.match(mark, '^(%d+)-(%d+)$')
local fed_ms, fed_seq = string.match(ARGV[2], '^(%d+)-(%d+)$')
if not (ms and fed_ms) then return 0 end
if tonumber(ms) > tonumber(fed_ms) or (tonumber(ms) == tonumber(fed_ms) and tonumber(seq) > tonumber(fed_seq)) then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])
`;

interface Scripts {
  i2mUnfedClear(key: string, jobId: string, eventId: string): Promise<number>;
}

/**
 * UnfedJobs on Redis: one hash, job id → the id of its last final event, written by the TRANSITION
 * script (job-store.scripts.ts) in the same step as the event.
 * @example
 * const unfed = new RedisUnfedJobs({ redis, prefix: 'i2m:' });
 */
export class RedisUnfedJobs implements UnfedJobs {
  private readonly redis: Redis;
  private readonly scripts: Scripts;
  private readonly key: string;

  constructor(opts: { redis: Redis; prefix?: string }) {
    this.redis = opts.redis;
    this.key = unfedWebhookJobsKey(opts.prefix ?? 'i2m:');
    opts.redis.defineCommand('i2mUnfedClear', { numberOfKeys: 1, lua: CLEAR_UP_TO });
    this.scripts = opts.redis as unknown as Scripts;
  }

  async list(limit: number): Promise<string[]> {
    const jobIds = new Set<string>();
    let cursor = '0';
    do {
      const [next, flat] = await callRedis(() => this.redis.hscan(this.key, cursor, 'COUNT', 200));
      cursor = next;
      for (let i = 0; i < flat.length && jobIds.size < limit; i += 2) jobIds.add(flat[i] as string);
    } while (cursor !== '0' && jobIds.size < limit);
    return [...jobIds];
  }

  async clearUpTo(jobId: string, eventId: string): Promise<void> {
    await callRedis(() => this.scripts.i2mUnfedClear(this.key, jobId, eventId));
  }

  async forget(jobId: string): Promise<void> {
    await callRedis(() => this.redis.hdel(this.key, jobId));
  }
}
