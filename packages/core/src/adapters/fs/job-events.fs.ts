import { EventEmitter } from 'node:events';
import { appendFile, readFile, rm, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { JobEvent, JobEventPayload, JobEvents } from '../../jobs/job-events.js';
import { silentLogger, type Logger } from '../../logger.js';
import { inDirectory, isNotFound, isSafeSegment } from './atomic-file.js';
import { subscribeToEmitter } from './subscription.js';

export interface FsJobEventsOptions {
  /** The data directory; each job's log is `<root>/jobs/<job_id>/events.jsonl`. */
  root: string;
  logger?: Logger;
  /** Job logs kept in memory (least recently used are dropped and re-read on demand). @default 1000 */
  maxCachedJobs?: number;
}

interface JobLog {
  /** Stored events, and events published without being stored, in id order. */
  events: JobEvent[];
  /** The id of the last stored event (stored ids are the per-job sequence number). */
  seq: number;
  /** Events published since the last stored one without being stored (see the id rule). */
  unstored: number;
  /** Bytes of whole stored lines: a failed append may have left a torn line past them. */
  size: number;
  torn: boolean;
  /** Writes run one after another, in id order; this settles when the last one has. */
  tail: Promise<void>;
  /** Events waiting for the write in flight: they go to disk together, in one write, next. */
  batch: { payloads: JobEventPayload[]; written: Promise<JobEvent[]> } | null;
  pending: number;
}

/**
 * JobEvents for embedded mode: an append-only JSONL file per job (ids survive restarts), an
 * in-memory cache for replay, and one EventEmitter per followed job for live subscribers.
 *
 * An event is published once it is stored. When it cannot be stored (a full disk), it is
 * published anyway, so followers still learn that a file failed and the job is done. The id rule:
 * a stored event's id is the next sequence number (`7`); an event that could not be stored gets
 * the last stored id plus a suffix (`6.1`, `6.2`), which sorts after `6` and before any later
 * stored id. That number is never on disk, so it may be used again after a restart; the suffix
 * is not: a client resuming with `Last-Event-ID: 6.2` is sent every stored event after `6`, so a
 * replay never skips an event because of an id a follower saw only live. Unstored events stay in
 * this process's replay until the job's log leaves the cache.
 */
export class FsJobEvents implements JobEvents {
  private readonly root: string;
  private readonly logger: Logger;
  private readonly maxCachedJobs: number;
  private readonly logs = new Map<string, JobLog>();
  private readonly loading = new Map<string, Promise<JobLog>>();
  private readonly emitters = new Map<string, EventEmitter>();

  constructor(opts: FsJobEventsOptions) {
    this.root = path.resolve(opts.root);
    this.logger = opts.logger ?? silentLogger;
    this.maxCachedJobs = opts.maxCachedJobs ?? 1000;
  }

  async append(jobId: string, payload: JobEventPayload): Promise<JobEvent> {
    if (!isSafeSegment(jobId)) throw new Error(`Invalid job id: ${jobId}`);
    const log = await this.logFor(jobId);
    log.pending += 1;
    try {
      return await this.write(jobId, log, payload);
    } finally {
      log.pending -= 1;
    }
  }

  /**
   * Queues the event for the next write of its job's log. Events appended while a write is in
   * flight share the following one (one system call for a burst, e.g. two workers' events).
   */
  private write(jobId: string, log: JobLog, payload: JobEventPayload): Promise<JobEvent> {
    if (!log.batch) {
      const payloads: JobEventPayload[] = [];
      const written = log.tail.then(async () => {
        log.batch = null; // appends from now on go to the next write
        const events = await this.store(jobId, log, payloads);
        for (const e of events) {
          log.events.push(e);
          this.emitters.get(jobId)?.emit('event', e);
        }
        return events;
      });
      log.tail = written.then(
        () => undefined,
        () => undefined, // only a throwing listener gets here: later writes still run
      );
      log.batch = { payloads, written };
    }
    const index = log.batch.payloads.push(payload) - 1;
    return log.batch.written.then((events) => events[index] as JobEvent);
  }

  /** Stores a batch with the next ids, or gives it the ids of events that could not be stored. */
  private async store(jobId: string, log: JobLog, payloads: JobEventPayload[]): Promise<JobEvent[]> {
    const file = this.fileFor(jobId);
    const events = payloads.map((p, i) => ({ ...p, id: String(log.seq + i + 1) }) as JobEvent);
    const lines = events.map((e) => `${JSON.stringify(e)}\n`).join('');
    try {
      if (log.torn) {
        // Whatever the failed append left would merge with this one's first line.
        await truncate(file, log.size).catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        });
        log.torn = false;
      }
      await inDirectory(path.dirname(file), () => appendFile(file, lines));
    } catch (error) {
      log.torn = true;
      this.logger.error({ err: error, job_id: jobId, events: events.length }, 'Storing job events failed: they are published, not stored');
      return payloads.map((p) => ({ ...p, id: `${log.seq}.${++log.unstored}` }) as JobEvent);
    }
    log.seq += events.length;
    log.size += Buffer.byteLength(lines);
    log.unstored = 0;
    return events;
  }

  async since(jobId: string, lastEventId: string | null): Promise<JobEvent[]> {
    if (!isSafeSegment(jobId)) return [];
    const log = await this.logFor(jobId);
    const after = parseId(lastEventId);
    if (after === null || after.seq > log.seq) return [...log.events];
    return log.events.filter((e) => compare(parseId(e.id), after) > 0);
  }

  subscribe(jobId: string, opts: { signal: AbortSignal }): AsyncIterable<JobEvent> {
    let emitter = this.emitters.get(jobId);
    if (!emitter) {
      emitter = new EventEmitter();
      emitter.setMaxListeners(0); // thousands of followers of one job are fine: one emitter, one listener each
      this.emitters.set(jobId, emitter);
    }
    const target = emitter;
    return subscribeToEmitter<JobEvent>(target, opts.signal, () => {
      if (target.listenerCount('event') === 0 && this.emitters.get(jobId) === target) this.emitters.delete(jobId);
    });
  }

  compareIds(a: string, b: string): number {
    return compareFsEventIds(a, b);
  }

  /** Live subscribers of one job (for tests and metrics). */
  subscriberCount(jobId: string): number {
    return this.emitters.get(jobId)?.listenerCount('event') ?? 0;
  }

  async delete(jobId: string): Promise<void> {
    if (!isSafeSegment(jobId)) return;
    await this.loading.get(jobId)?.catch(() => undefined);
    const log = this.logs.get(jobId);
    if (log) await log.tail;
    this.logs.delete(jobId);
    this.emitters.get(jobId)?.emit('end');
    await rm(this.fileFor(jobId), { force: true });
  }

  async close(): Promise<void> {
    await Promise.all([...this.logs.values()].map((log) => log.tail));
    for (const emitter of this.emitters.values()) emitter.emit('end');
  }

  private fileFor(jobId: string): string {
    return path.join(this.root, 'jobs', jobId, 'events.jsonl');
  }

  private async logFor(jobId: string): Promise<JobLog> {
    const cached = this.logs.get(jobId);
    if (cached) {
      this.logs.delete(jobId); // re-insert: Map order is the LRU order
      this.logs.set(jobId, cached);
      return cached;
    }
    let loading = this.loading.get(jobId);
    if (!loading) {
      loading = this.load(jobId).then(
        (log) => {
          this.loading.delete(jobId);
          this.logs.set(jobId, log);
          this.evict();
          return log;
        },
        (error: unknown) => {
          this.loading.delete(jobId);
          throw error;
        },
      );
      this.loading.set(jobId, loading);
    }
    return loading;
  }

  private async load(jobId: string): Promise<JobLog> {
    const file = this.fileFor(jobId);
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch (error) {
      if (isNotFound(error)) return emptyLog([], 0, 0);
      throw error;
    }
    const end = raw.lastIndexOf(0x0a) + 1;
    if (end < raw.length) {
      // A crash mid-append tore the last line: drop it, so the next append starts on a fresh line.
      this.logger.warn({ job_id: jobId, bytes: raw.length - end }, 'Dropping a torn last line of an event log');
      await truncate(file, end);
    }
    const events: JobEvent[] = [];
    let seq = 0;
    for (const line of raw.subarray(0, end).toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        const event = JSON.parse(line) as JobEvent;
        const id = parseId(event.id);
        if (id === null || id.unstored !== 0 || id.seq <= seq) continue;
        seq = id.seq;
        events.push(event);
      } catch {
        this.logger.warn({ job_id: jobId }, 'Skipping an unreadable event line');
      }
    }
    return emptyLog(events, seq, end);
  }

  private evict(): void {
    for (const [jobId, log] of this.logs) {
      if (this.logs.size <= this.maxCachedJobs) return;
      if (log.pending === 0) this.logs.delete(jobId);
    }
  }
}

function emptyLog(events: JobEvent[], seq: number, size: number): JobLog {
  return { events, seq, unstored: 0, size, torn: false, tail: Promise.resolve(), batch: null, pending: 0 };
}

/** A stored id (`7`), or one that could not be stored (`6.2`: the 2nd after stored id 6). */
interface ParsedId {
  seq: number;
  unstored: number;
}

function parseId(id: string | null): ParsedId | null {
  const match = id === null ? null : /^(0|[1-9]\d{0,14})(?:\.([1-9]\d{0,8}))?$/.exec(id);
  if (!match || (match[1] === '0' && match[2] === undefined)) return null;
  return { seq: Number(match[1]), unstored: Number(match[2] ?? 0) };
}

/** Orders two event ids of one job's log (FsJobStore keeps the webhook cursor by it): negative when a is older. */
export function compareFsEventIds(a: string, b: string): number {
  return compare(parseId(a), parseId(b));
}

/** Unreadable ids sort first, like the start of the log. */
function compare(a: ParsedId | null, b: ParsedId | null): number {
  return (a?.seq ?? 0) - (b?.seq ?? 0) || (a?.unstored ?? 0) - (b?.unstored ?? 0);
}
