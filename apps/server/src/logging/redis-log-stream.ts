import type { Redis } from 'ioredis';
import type { LogEntry, LogQuery } from '@image2model/api';
import { matchesLogQuery, toLogEntry, type LogSink } from './log-buffer.js';

export interface RedisLogStreamOptions {
  redis: Redis;
  /** The deployment's key prefix; the stream is `<prefix>logs`. */
  prefix: string;
  /**
   * Entries kept (approximately: `MAXLEN ~`). @default 10_000. Each entry is a `/logs` entry with
   * its message cut (toLogEntry), at most about 2 KB, so the stream holds about 20 MB at most.
   */
  capacity?: number;
  /** Lines held while Redis is unreachable; the oldest are dropped beyond this. @default 1000 */
  maxPending?: number;
  /** @default 100 */
  flushMs?: number;
}

const PAGE = 1000;

/**
 * Distributed mode's `GET /logs`: every process (API and worker) appends its log lines to one
 * capped Redis stream, so any API process answers with the whole deployment's log. Writes are
 * batched and never block logging; while Redis is down lines wait in a bounded buffer (stdout
 * still has every line).
 */
export class RedisLogStream implements LogSink {
  private readonly redis: Redis;
  private readonly key: string;
  private readonly capacity: number;
  private readonly maxPending: number;
  private readonly flushMs: number;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(opts: RedisLogStreamOptions) {
    this.redis = opts.redis;
    this.key = `${opts.prefix}logs`;
    this.capacity = opts.capacity ?? 10_000;
    this.maxPending = opts.maxPending ?? 1000;
    this.flushMs = opts.flushMs ?? 100;
  }

  write(line: string): void {
    // Parsed and cut now, so neither the pending lines nor the stream hold a line as long as pino's.
    const entry = toLogEntry(line);
    if (!entry) return;
    this.pending.push(JSON.stringify(entry));
    if (this.pending.length > this.maxPending) this.pending.splice(0, this.pending.length - this.maxPending);
    this.schedule();
  }

  /** Writes what is pending (called on a timer, and by close()). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0 || this.redis.status !== 'ready') return;
      const batch = this.pending;
      this.pending = [];
      const pipeline = this.redis.pipeline();
      for (const entry of batch) pipeline.xadd(this.key, 'MAXLEN', '~', this.capacity, '*', 'e', entry);
      try {
        await pipeline.exec();
      } catch {
        this.pending = [...batch, ...this.pending].slice(-this.maxPending); // Redis went away: try again later
      }
    });
    void this.flushing.then(() => {
      if (this.pending.length > 0 && !this.closed) this.schedule(1000);
    });
    return this.flushing;
  }

  private schedule(delayMs = this.flushMs): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }

  /**
   * The newest `lines` entries at or above `level` and at or after `since`, oldest first, read
   * newest-first in pages so a narrow query does not fetch the whole stream.
   */
  async query(query: LogQuery): Promise<LogEntry[]> {
    const found: LogEntry[] = [];
    let max = '+';
    const sinceMs = query.since ? Date.parse(query.since) : null;
    for (;;) {
      const page = await this.redis.xrevrange(this.key, max, '-', 'COUNT', PAGE);
      for (const [, fields] of page) {
        const entry = parseEntry(fields);
        if (!entry) continue;
        if (matchesLogQuery(entry, query)) found.push(entry);
        if (found.length >= query.lines) return found.reverse();
      }
      const last = page.at(-1);
      if (page.length < PAGE || !last) break;
      // Stream ids are Redis' clock: well before `since` (a minute of skew allowed), stop reading.
      if (sinceMs !== null && Number(last[0].split('-')[0]) < sinceMs - 60_000) break;
      max = `(${last[0]}`;
    }
    return found.reverse();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}

function parseEntry(fields: string[]): LogEntry | null {
  const index = fields.indexOf('e');
  const raw = index >= 0 ? fields[index + 1] : undefined;
  if (raw === undefined) return null;
  try {
    return JSON.parse(raw) as LogEntry;
  } catch {
    return null;
  }
}
