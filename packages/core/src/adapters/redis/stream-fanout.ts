import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { silentLogger, type Logger } from '../../logger.js';
import { subscribeToEmitter } from '../fs/subscription.js';
import { callRedis } from './redis-errors.js';

export interface StreamFanoutOptions<T> {
  /** The shared command connection (start ids, CLIENT UNBLOCK); the reader is its own duplicate. */
  redis: Redis;
  /** Turns one stream entry into a value; null skips it. */
  decode(id: string, fields: string[]): T | null;
  /** Orders two entry ids (negative when a is older). */
  compareIds(a: string, b: string): number;
  /** The longest one XREAD blocks before it re-reads the set of followed streams. @default 5000 */
  blockMs?: number;
  logger?: Logger;
}

interface Follow {
  emitter: EventEmitter;
  /** The newest entry id read for this stream; null until the first subscriber's start id is known. */
  cursor: string | null;
}

type XReadReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows many Redis streams for many subscribers with ONE blocking connection per process: a
 * single `XREAD BLOCK` loop reads every followed stream from its cursor and fans each entry out
 * to that stream's subscribers. A new stream wakes the loop with `CLIENT UNBLOCK`, so it is read
 * at once; after a Redis outage the loop resumes from the cursors, so nothing is skipped.
 */
export class StreamFanout<T extends { id: string }> {
  private readonly opts: StreamFanoutOptions<T>;
  private readonly blockMs: number;
  private readonly logger: Logger;
  private readonly follows = new Map<string, Follow>();
  private reader: Redis | null = null;
  private readerId: number | null = null;
  private loop: Promise<void> | null = null;
  private idle: (() => void) | null = null;
  /** The sequence number of the XREAD in flight, or null. */
  private reading: number | null = null;
  private readSeq = 0;
  private closed = false;

  constructor(opts: StreamFanoutOptions<T>) {
    this.opts = opts;
    this.blockMs = opts.blockMs ?? 5000;
    this.logger = opts.logger ?? silentLogger;
  }

  /**
   * Entries appended to `key` after this call, until `signal` aborts or the consumer stops. The
   * start point is the stream's newest id, read on the shared connection right now, so a caller
   * that replays with XRANGE afterwards on the same connection misses nothing in between.
   */
  subscribe(key: string, signal: AbortSignal): AsyncIterable<T> {
    if (this.closed || signal.aborted) return emptyIterable<T>();
    const from = callRedis(() => this.newestId(key));
    from.catch(() => undefined); // surfaced to the consumer by the iterator below
    let follow = this.follows.get(key);
    if (!follow) {
      const emitter = new EventEmitter();
      emitter.setMaxListeners(0); // many followers of one job: one listener each, on purpose
      follow = { emitter, cursor: null };
      this.follows.set(key, follow);
    }
    const target = follow;
    // The first start id that arrives opens the stream for reading (ids only grow, so it is the oldest).
    from.then(
      (id) => {
        if (this.follows.get(key) === target && target.cursor === null) {
          target.cursor = id;
          this.wake();
        }
      },
      () => undefined,
    );
    const live = subscribeToEmitter<T>(target.emitter, signal, () => {
      if (target.emitter.listenerCount('event') === 0 && this.follows.get(key) === target) this.follows.delete(key);
    });
    return this.after(from, live);
  }

  /** Ends every subscription of one stream (its data was deleted). */
  end(key: string): void {
    this.follows.get(key)?.emitter.emit('end');
  }

  /** Streams currently followed (tests, metrics). */
  get followed(): number {
    return this.follows.size;
  }

  /** Blocking connections this fan-out holds: 0 or 1, however many subscribers there are. */
  get blockingConnections(): number {
    return this.reader ? 1 : 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.idle?.();
    for (const follow of this.follows.values()) follow.emitter.emit('end');
    this.follows.clear();
    this.reader?.disconnect();
    await this.loop;
  }

  private async *after(from: Promise<string>, live: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
    const iterator = live[Symbol.asyncIterator]();
    try {
      const start = await from;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        if (this.opts.compareIds(next.value.id, start) > 0) yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }

  private async newestId(key: string): Promise<string> {
    const newest = (await this.opts.redis.xrevrange(key, '+', '-', 'COUNT', 1))[0];
    return newest?.[0] ?? '0-0';
  }

  private wake(): void {
    if (this.closed) return;
    if (!this.loop) {
      this.loop = this.run().catch((error: unknown) => this.logger.error({ err: error }, 'Event stream reader stopped'));
      return;
    }
    if (this.idle) {
      this.idle();
      return;
    }
    if (this.reading !== null) void this.unblock(this.reading);
  }

  /** Interrupts the XREAD in flight (it returns as if it timed out), so the loop re-reads the set. */
  private async unblock(seq: number): Promise<void> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      if (this.reading !== seq || this.readerId === null) return;
      const unblocked = await this.opts.redis.client('UNBLOCK', this.readerId).catch(() => 0);
      if (unblocked === 1) return;
      await sleep(10 * attempt); // the XREAD may not have reached Redis yet
    }
  }

  private async run(): Promise<void> {
    // Blocks for `blockMs` at a time: the command connection's time limit (API processes) does not apply.
    const reader = this.opts.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false, commandTimeout: undefined });
    reader.on('error', () => undefined); // reconnects by itself; the loop below logs the failures
    reader.on('close', () => {
      this.readerId = null;
    });
    this.reader = reader;
    let failures = 0;
    while (!this.closed) {
      try {
        if (this.readerId === null) this.readerId = await reader.client('ID');
        const active = [...this.follows].filter((entry): entry is [string, Follow & { cursor: string }] => entry[1].cursor !== null);
        if (active.length === 0) {
          await new Promise<void>((resolve) => {
            this.idle = resolve;
          });
          this.idle = null;
          continue;
        }
        const seq = ++this.readSeq;
        this.reading = seq;
        const reply = (await reader.xread(
          'COUNT',
          1000,
          'BLOCK',
          this.blockMs,
          'STREAMS',
          ...active.map(([key]) => key),
          ...active.map(([, follow]) => follow.cursor),
        )) as XReadReply;
        this.reading = null;
        if (failures > 0) this.logger.info({ failures }, 'Event stream reader reconnected');
        failures = 0;
        this.dispatch(reply);
      } catch (error) {
        this.reading = null;
        if (this.closed) break;
        failures += 1;
        if (failures === 1) this.logger.warn({ err: error }, 'Event stream reader lost Redis; retrying');
        await sleep(Math.min(2000, 50 * 2 ** failures));
      }
    }
    reader.disconnect();
  }

  private dispatch(reply: XReadReply): void {
    for (const [key, entries] of reply ?? []) {
      const follow = this.follows.get(key);
      if (!follow || follow.cursor === null) continue;
      for (const [id, fields] of entries) {
        if (this.opts.compareIds(id, follow.cursor) <= 0) continue;
        follow.cursor = id;
        const value = this.opts.decode(id, fields);
        if (value !== null) follow.emitter.emit('event', value);
      }
    }
  }
}

function emptyIterable<T>(): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ value: undefined, done: true as const }) }),
  };
}
