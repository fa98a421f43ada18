import type { Redis } from 'ioredis';
import type { JobEvent, JobEventPayload, JobEvents } from '../../jobs/job-events.js';
import type { Logger } from '../../logger.js';
import { callRedis } from './redis-errors.js';
import { DEFAULT_EVENTS_MAX_LEN, jobKeys } from './redis-keys.js';
import { StreamFanout } from './stream-fanout.js';

export interface RedisJobEventsOptions {
  /** A connected client; shared, not closed here. The blocking reader is a duplicate of it. */
  redis: Redis;
  /** @default 'i2m:' */
  prefix?: string;
  /** Entries kept per job stream (approximately: `MAXLEN ~`). @default 10_000 */
  maxLen?: number;
  /** @default 5000 */
  blockMs?: number;
  logger?: Logger;
}

type StreamEntry = [id: string, fields: string[]];

const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;

/**
 * JobEvents on Redis Streams: one capped stream per job (`XADD … MAXLEN ~`), so every API process
 * can replay any job from a `Last-Event-ID` (XRANGE) and follow it live. Live events come from one
 * shared `XREAD BLOCK` reader per process (StreamFanout), however many clients are watching.
 * Event ids are the stream's ids (`<ms>-<seq>`): they only ever grow, across restarts too.
 */
export class RedisJobEvents implements JobEvents {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly maxLen: number;
  private readonly fanout: StreamFanout<JobEvent>;

  constructor(opts: RedisJobEventsOptions) {
    this.redis = opts.redis;
    this.prefix = opts.prefix ?? 'i2m:';
    this.maxLen = opts.maxLen ?? DEFAULT_EVENTS_MAX_LEN;
    this.fanout = new StreamFanout<JobEvent>({
      redis: opts.redis,
      decode: decodeEntry,
      compareIds: (a, b) => this.compareIds(a, b),
      ...(opts.blockMs !== undefined ? { blockMs: opts.blockMs } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  }

  async append(jobId: string, payload: JobEventPayload): Promise<JobEvent> {
    const id = await callRedis(() => this.redis.xadd(this.keyOf(jobId), 'MAXLEN', '~', this.maxLen, '*', 'd', JSON.stringify(payload)));
    if (id === null) throw new Error('XADD returned no id');
    return { ...payload, id } as JobEvent;
  }

  async since(jobId: string, lastEventId: string | null): Promise<JobEvent[]> {
    const key = this.keyOf(jobId);
    return callRedis(async () => {
      if (lastEventId === null || !STREAM_ID.test(lastEventId)) return decodeAll(await this.redis.xrange(key, '-', '+'));
      const after = decodeAll(await this.redis.xrange(key, `(${lastEventId}`, '+'));
      if (after.length > 0) return after;
      // An id newer than anything stored is not one of ours: replay everything, as for an unknown id.
      const newest = (await this.redis.xrevrange(key, '+', '-', 'COUNT', 1))[0];
      if (!newest || this.compareIds(lastEventId, newest[0]) <= 0) return [];
      return decodeAll(await this.redis.xrange(key, '-', '+'));
    });
  }

  subscribe(jobId: string, opts: { signal: AbortSignal }): AsyncIterable<JobEvent> {
    return this.fanout.subscribe(this.keyOf(jobId), opts.signal);
  }

  compareIds(a: string, b: string): number {
    const [aMs, aSeq] = parseId(a);
    const [bMs, bSeq] = parseId(b);
    if (aMs !== bMs) return aMs < bMs ? -1 : 1;
    if (aSeq !== bSeq) return aSeq < bSeq ? -1 : 1;
    return 0;
  }

  async delete(jobId: string): Promise<void> {
    await callRedis(() => this.redis.del(this.keyOf(jobId)));
    this.fanout.end(this.keyOf(jobId));
  }

  /** Ends every live subscription of this process and stops the reader. */
  async close(): Promise<void> {
    await this.fanout.close();
  }

  /** Blocking Redis connections held for live events: at most one (tests, metrics). */
  get blockingConnections(): number {
    return this.fanout.blockingConnections;
  }

  private keyOf(jobId: string): string {
    return jobKeys(this.prefix, jobId).events;
  }
}

function parseId(id: string): [bigint, bigint] {
  const match = STREAM_ID.exec(id);
  return match ? [BigInt(match[1] ?? 0), BigInt(match[2] ?? 0)] : [0n, 0n];
}

function decodeEntry(id: string, fields: string[]): JobEvent | null {
  const index = fields.indexOf('d');
  const raw = index >= 0 ? fields[index + 1] : undefined;
  if (raw === undefined) return null;
  try {
    return { ...(JSON.parse(raw) as JobEventPayload), id } as JobEvent;
  } catch {
    return null;
  }
}

function decodeAll(entries: StreamEntry[]): JobEvent[] {
  return entries.map(([id, fields]) => decodeEntry(id, fields)).filter((event): event is JobEvent => event !== null);
}
