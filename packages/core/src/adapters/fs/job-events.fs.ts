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
  events: JobEvent[];
  /** The last id handed out (ids are the per-job sequence number). */
  seq: number;
  /** Writes run one after another, in id order; this settles when the last one has. */
  tail: Promise<void>;
  /** Events waiting for the write in flight: they go to disk together, in one write, next. */
  batch: { events: JobEvent[]; written: Promise<void> } | null;
  pending: number;
}

/**
 * JobEvents for embedded mode: an append-only JSONL file per job (ids survive restarts), an
 * in-memory cache for replay, and one EventEmitter per followed job for live subscribers.
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
    const event = { ...payload, id: String(++log.seq) } as JobEvent;
    log.pending += 1;
    try {
      await this.write(jobId, log, event);
    } finally {
      log.pending -= 1;
    }
    return event;
  }

  /**
   * Queues the event for the next write of its job's log. Events appended while a write is in
   * flight share the following one (one system call for a burst, e.g. two workers' events).
   */
  private write(jobId: string, log: JobLog, event: JobEvent): Promise<void> {
    if (!log.batch) {
      const events: JobEvent[] = [];
      const file = this.fileFor(jobId);
      // Stored before it is published, so an id a client has seen is never handed out again.
      const written = log.tail.then(async () => {
        log.batch = null; // appends from now on go to the next write
        const lines = events.map((e) => `${JSON.stringify(e)}\n`).join('');
        await inDirectory(path.dirname(file), () => appendFile(file, lines));
        for (const e of events) {
          log.events.push(e);
          this.emitters.get(jobId)?.emit('event', e);
        }
      });
      log.tail = written.catch(() => {
        // A failed append may have left a torn line: re-read (and repair) the file on next use.
        if (this.logs.get(jobId) === log) this.logs.delete(jobId);
      });
      log.batch = { events, written };
    }
    log.batch.events.push(event);
    return log.batch.written;
  }

  async since(jobId: string, lastEventId: string | null): Promise<JobEvent[]> {
    if (!isSafeSegment(jobId)) return [];
    const log = await this.logFor(jobId);
    const after = parseId(lastEventId);
    if (after === null || after > log.seq) return [...log.events];
    return log.events.filter((e) => Number(e.id) > after);
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
    return (parseId(a) ?? 0) - (parseId(b) ?? 0);
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
      if (isNotFound(error)) return { events: [], seq: 0, tail: Promise.resolve(), batch: null, pending: 0 };
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
        if (id === null || id <= seq) continue;
        seq = id;
        events.push(event);
      } catch {
        this.logger.warn({ job_id: jobId }, 'Skipping an unreadable event line');
      }
    }
    return { events, seq, tail: Promise.resolve(), batch: null, pending: 0 };
  }

  private evict(): void {
    for (const [jobId, log] of this.logs) {
      if (this.logs.size <= this.maxCachedJobs) return;
      if (log.pending === 0) this.logs.delete(jobId);
    }
  }
}

function parseId(id: string | null): number | null {
  if (id === null || !/^[1-9]\d{0,14}$/.test(id)) return null;
  return Number(id);
}
