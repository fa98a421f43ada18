import type { ServerResponse } from 'node:http';
import type { JobEvent, JobEvents, LiveEventFilter } from '@image2model/core';
import { AppError, replayJobEvents } from '@image2model/core';
import { appErrorFromUnknown, toWireEvent } from '@image2model/api';
import type { Logger } from 'pino';
import { correlation } from '../logging/logger.js';
import { SseFrame, writeSseFrame } from './sse-frame.js';

/** A subscriber this far behind (bytes queued in its socket) is closed; it resumes with Last-Event-ID. */
export const MAX_QUEUED_BYTES = 256 * 1024;

export interface StreamRequest {
  res: ServerResponse;
  jobId: string;
  /** The job's session id and this request's origin: what `completed`'s model_url is built from. */
  sessionId: string;
  publicUrl: string;
  lastEventId: string | null;
}

interface Subscriber {
  res: ServerResponse;
  sessionId: string;
  publicUrl: string;
  /** Which live events are new to this subscriber (core's rules); null until its replay is read. */
  live: LiveEventFilter | null;
  /** Live events that arrived while the replay was read; null once the subscriber is live. */
  backlog: JobEvent[] | null;
  /** Ended by us or gone: nothing more is written (writing to an ended response throws). */
  closed: boolean;
}

/** Every follower of one job, fed by one subscription to the job's events. */
interface JobHub {
  subscribers: Set<Subscriber>;
  stop: AbortController;
  ended: boolean;
}

/**
 * The SSE fan-out of `GET /status/stream/{job_id}`: per job and process one subscription to the
 * event log; each follower replayed and admitted by core's replay-then-live rules through the steps
 * `followJobEvents` (the tRPC subscription's stream) is made of, `replayJobEvents` and its
 * `LiveEventFilter`; each event serialised once (per origin) and the same frame written to every
 * follower; one heartbeat timer for all streams. A per-follower chain of iterators, promises and timers cost
 * 4× the CPU of a bare fan-out and fell behind at 5,000 followers (BENCHMARKS.md, "sse-fanout").
 */
export class JobEventFanout {
  private readonly hubs = new Map<string, JobHub>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly opts: { events: JobEvents; heartbeatMs: number; logger: Logger }) {}

  /** Replays what the request missed, then streams live events until `done`, the job's end or a disconnect. */
  async follow(request: StreamRequest): Promise<void> {
    const { events } = this.opts;
    const { res, jobId } = request;
    // Gone while its access was being checked: its `close` has fired already, so it would never leave.
    if (res.destroyed || res.writableEnded) return;
    const subscriber: Subscriber = { res, sessionId: request.sessionId, publicUrl: request.publicUrl, live: null, backlog: [], closed: false };
    // Joined before the replay is read, so nothing falls between the replay and going live.
    const hub = this.hubFor(jobId);
    hub.subscribers.add(subscriber);
    res.on('close', () => {
      subscriber.closed = true;
      this.leave(jobId, hub, subscriber);
    });

    try {
      const replay = await replayJobEvents(events, jobId, request.lastEventId);
      for (const event of replay.missed) this.write(subscriber, frameOf(event, subscriber));
      subscriber.live = replay.live;
      if (replay.finished || hub.ended) return this.close(jobId, hub, subscriber);
    } catch (error) {
      this.fail(subscriber, error);
      return this.close(jobId, hub, subscriber);
    }
    const backlog = subscriber.backlog ?? [];
    subscriber.backlog = null;
    for (const event of backlog) this.deliver(jobId, hub, subscriber, event, frameOf(event, subscriber));
  }

  /** Open streams across all jobs (tests and metrics). */
  subscriberCount(): number {
    let count = 0;
    for (const hub of this.hubs.values()) count += hub.subscribers.size;
    return count;
  }

  private hubFor(jobId: string): JobHub {
    const existing = this.hubs.get(jobId);
    if (existing) return existing;
    const hub: JobHub = { subscribers: new Set(), stop: new AbortController(), ended: false };
    this.hubs.set(jobId, hub);
    this.startHeartbeat();
    // The hub outlives the request that opened it: its log lines must not carry that request's id.
    correlation.exit(() => void this.pump(jobId, hub));
    return hub;
  }

  private async pump(jobId: string, hub: JobHub): Promise<void> {
    try {
      for await (const event of this.opts.events.subscribe(jobId, { signal: hub.stop.signal })) {
        const frames = new Map<string, SseFrame>();
        for (const subscriber of hub.subscribers) {
          if (subscriber.backlog !== null) {
            subscriber.backlog.push(event);
            continue;
          }
          const key = subscriber.publicUrl;
          let frame = frames.get(key);
          if (frame === undefined) {
            frame = frameOf(event, subscriber);
            frames.set(key, frame);
          }
          this.deliver(jobId, hub, subscriber, event, frame);
        }
      }
    } catch (error) {
      if (!hub.stop.signal.aborted) {
        this.opts.logger.error({ err: error, job_id: jobId }, 'Event stream failed');
        for (const subscriber of hub.subscribers) this.fail(subscriber, error);
      }
    }
    // The job's log ended (deleted, or the process is closing): so does every stream of it.
    hub.ended = true;
    for (const subscriber of [...hub.subscribers]) if (subscriber.backlog === null) this.close(jobId, hub, subscriber);
  }

  private deliver(jobId: string, hub: JobHub, subscriber: Subscriber, event: JobEvent, frame: SseFrame): void {
    if (subscriber.live !== null && !subscriber.live.admit(event)) return;
    const flowing = this.write(subscriber, frame);
    if (event.type === 'done') {
      this.close(jobId, hub, subscriber);
    } else if (!flowing && subscriber.res.writableLength > MAX_QUEUED_BYTES) {
      this.opts.logger.warn({ job_id: jobId, queued_bytes: subscriber.res.writableLength }, 'Event stream subscriber too slow: closed, it resumes with Last-Event-ID');
      // Destroyed, not ended: ending would keep what is queued for a peer that may never read it.
      subscriber.closed = true;
      subscriber.res.destroy();
      this.leave(jobId, hub, subscriber);
    }
  }

  /** False when the response is buffering (the client reads slower than we write). */
  private write(subscriber: Subscriber, frame: SseFrame): boolean {
    return subscriber.closed ? true : writeSseFrame(subscriber.res, frame);
  }

  private fail(subscriber: Subscriber, error: unknown): void {
    const appError = error instanceof AppError ? error : appErrorFromUnknown(error);
    if (!subscriber.closed) subscriber.res.write(`event: error\ndata: ${JSON.stringify(appError.toBody())}\n\n`);
  }

  private close(jobId: string, hub: JobHub, subscriber: Subscriber): void {
    if (!subscriber.closed) subscriber.res.end();
    subscriber.closed = true;
    this.leave(jobId, hub, subscriber);
  }

  private leave(jobId: string, hub: JobHub, subscriber: Subscriber): void {
    hub.subscribers.delete(subscriber);
    if (hub.subscribers.size > 0) return;
    hub.stop.abort();
    if (this.hubs.get(jobId) === hub) this.hubs.delete(jobId);
    if (this.hubs.size === 0) this.stopHeartbeat();
  }

  /** One timer for every open stream: comment lines keep idle connections (and proxies) open. */
  private startHeartbeat(): void {
    if (this.heartbeat !== null) return;
    this.heartbeat = setInterval(() => {
      for (const hub of this.hubs.values()) {
        for (const subscriber of hub.subscribers) if (!subscriber.closed && subscriber.backlog === null) writeSseFrame(subscriber.res, PING);
      }
    }, this.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}

const PING = new SseFrame(': ping\n\n');

function frameOf(event: JobEvent, subscriber: Subscriber): SseFrame {
  return new SseFrame(`id: ${event.id}\ndata: ${JSON.stringify(toWireEvent(event, subscriber.sessionId, subscriber.publicUrl))}\n\n`);
}
