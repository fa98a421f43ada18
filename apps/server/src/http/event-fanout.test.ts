import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsJobEvents, type JobEvent, type JobEventPayload } from '@image2model/core';
import { pino } from 'pino';
import { JobEventFanout, MAX_QUEUED_BYTES } from './event-fanout.js';

const JOB = 'batch_20261125_120000_fanout';

/** The part of a ServerResponse the fan-out uses; records frames instead of sending them. */
class RecordingResponse extends EventEmitter {
  frames: string[] = [];
  writableEnded = false;
  destroyed = false;
  writableLength = 0;
  headersSent = true;
  chunkedEncoding = false;
  /** Frames go straight to the socket once the headers are sent: here, to the same recorder. */
  readonly socket = this;
  /** When set, every write queues this many bytes, as a client that stopped reading would. */
  stalledBytesPerWrite = 0;

  write(frame: string | Buffer): boolean {
    if (this.writableEnded) throw new Error('write after end');
    this.frames.push(frame.toString());
    this.writableLength += this.stalledBytesPerWrite;
    // As a ServerResponse does: false once bytes are queued (the client is not keeping up).
    return this.writableLength === 0;
  }

  end(): void {
    this.writableEnded = true;
    this.emit('close');
  }

  disconnect(): void {
    this.destroyed = true;
    this.emit('close');
  }

  destroy(): void {
    this.disconnect();
  }

  ids(): number[] {
    return this.frames.filter((f) => f.startsWith('id: ')).map((f) => Number(/^id: (\d+)/.exec(f)?.[1]));
  }

  types(): string[] {
    return this.frames.filter((f) => f.startsWith('id: ')).map((f) => (JSON.parse(f.split('data: ')[1] ?? '{}') as { type: string }).type);
  }
}

/** Reads the replay a few ms late, as Redis does (a round trip), so live events overlap it. */
class SlowReplayEvents extends FsJobEvents {
  override async since(jobId: string, lastEventId: string | null) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return super.since(jobId, lastEventId);
  }
}

/** Hands live events on a few ms late, as Redis does (XREAD batches), so the feed lags the log. */
class LaggingFeedEvents extends FsJobEvents {
  override subscribe(jobId: string, opts: { signal: AbortSignal }): AsyncIterable<JobEvent> {
    const feed = super.subscribe(jobId, opts);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const event of feed) {
          await new Promise((resolve) => setTimeout(resolve, 3));
          yield event;
        }
      },
    };
  }
}

const progress = (n: number): JobEventPayload => ({ type: 'progress', job_id: JOB, file_id: 'file_001', progress: n });
const done: JobEventPayload = { type: 'done', job_id: JOB, status: 'completed' };

describe('JobEventFanout', () => {
  let dir: string;
  let events: FsJobEvents;
  let fanout: JobEventFanout;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'i2m-fanout-'));
    events = new SlowReplayEvents({ root: dir });
    fanout = new JobEventFanout({ events, heartbeatMs: 60_000, logger: pino({ level: 'silent' }) });
  });
  afterEach(async () => {
    await events.close();
    await rm(dir, { recursive: true, force: true });
  });

  function follow(lastEventId: string | null = null, publicUrl = 'http://a.test') {
    const res = new RecordingResponse();
    const following = fanout.follow({ res: res as unknown as ServerResponse, jobId: JOB, sessionId: 'sess_x', publicUrl, lastEventId });
    return { res, following };
  }

  it('gives every follower, whenever it joined, every event exactly once and in order, then ends at done', async () => {
    const followers: RecordingResponse[] = [];
    const joins: Promise<void>[] = [];
    const appends: Promise<unknown>[] = [];
    for (let n = 1; n <= 60; n += 1) {
      // Followers join while appends are in flight, so events land in their replay, their
      // backlog or both (the overlap must be written once).
      if (n % 3 === 0) {
        const { res, following } = follow();
        followers.push(res);
        joins.push(following);
      }
      appends.push(events.append(JOB, progress(n)));
      if (n % 2 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    appends.push(events.append(JOB, done));
    await Promise.all([...appends, ...joins]);
    await expect.poll(() => followers.every((res) => res.writableEnded)).toBe(true);
    for (const res of followers) {
      expect(res.ids()).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
      expect(res.types().at(-1)).toBe('done');
    }
    expect(fanout.subscriberCount()).toBe(0);
    expect(events.subscriberCount(JOB)).toBe(0);
  });

  it('writes nothing twice when the live feed lags the log a follower replayed', async () => {
    const lagging = new LaggingFeedEvents({ root: dir });
    const lagged = new JobEventFanout({ events: lagging, heartbeatMs: 60_000, logger: pino({ level: 'silent' }) });
    const followers: RecordingResponse[] = [];
    const joins: Promise<void>[] = [];
    for (let n = 1; n <= 30; n += 1) {
      if (n % 3 === 1) {
        // Joins while the hub's feed is still handing on earlier events.
        const res = new RecordingResponse();
        followers.push(res);
        joins.push(lagged.follow({ res: res as unknown as ServerResponse, jobId: JOB, sessionId: 'sess_x', publicUrl: 'http://a.test', lastEventId: null }));
      }
      await lagging.append(JOB, progress(n));
    }
    await lagging.append(JOB, done);
    await Promise.all(joins);
    await expect.poll(() => followers.every((res) => res.writableEnded)).toBe(true);
    for (const res of followers) expect(res.ids()).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    await lagging.close();
  });

  it('resumes after Last-Event-ID with only what followed it', async () => {
    for (let n = 1; n <= 5; n += 1) await events.append(JOB, progress(n * 10));
    const { res, following } = follow('3');
    await following;
    await events.append(JOB, done);
    await expect.poll(() => res.writableEnded).toBe(true);
    expect(res.ids()).toEqual([4, 5, 6]);
  });

  it('builds completed model URLs for each follower from its own origin', async () => {
    const a = follow(null, 'http://a.test');
    const b = follow(null, 'http://b.test');
    await Promise.all([a.following, b.following]);
    await events.append(JOB, { type: 'completed', job_id: JOB, file_id: 'file_001' });
    await events.append(JOB, done);
    await expect.poll(() => a.res.writableEnded && b.res.writableEnded).toBe(true);
    expect(a.res.frames[0]).toContain(`"model_url":"http://a.test/api/v1/download/${JOB}/file_001/model?session_id=sess_x"`);
    expect(b.res.frames[0]).toContain(`"model_url":"http://b.test/api/v1/download/${JOB}/file_001/model?session_id=sess_x"`);
  });

  it('closes a follower that stopped reading once too much is queued for it, and keeps serving the others', async () => {
    const slow = follow();
    const fast = follow();
    await Promise.all([slow.following, fast.following]);
    slow.res.stalledBytesPerWrite = MAX_QUEUED_BYTES / 4;
    for (let n = 1; n <= 8; n += 1) await events.append(JOB, progress(n));
    // Destroyed rather than ended, so what is queued for it is freed at once.
    await expect.poll(() => slow.res.destroyed).toBe(true);
    expect(slow.res.writableEnded).toBe(false);
    expect(slow.res.ids().length).toBeLessThan(8);
    await events.append(JOB, done);
    await expect.poll(() => fast.res.writableEnded).toBe(true);
    expect(fast.res.ids()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('lets go of the job once its last follower disconnects, and never writes to a closed response', async () => {
    const first = follow();
    const second = follow();
    await Promise.all([first.following, second.following]);
    expect(events.subscriberCount(JOB)).toBe(1);
    first.res.disconnect();
    await events.append(JOB, progress(1));
    second.res.disconnect();
    await expect.poll(() => events.subscriberCount(JOB)).toBe(0);
    await events.append(JOB, progress(2));
    expect(first.res.frames).toEqual([]);
    expect(second.res.ids()).toEqual([1]);
    expect(fanout.subscriberCount()).toBe(0);
  });

  it('does not keep a follower that disconnected before it joined', async () => {
    const res = new RecordingResponse();
    res.disconnect();
    await fanout.follow({ res: res as unknown as ServerResponse, jobId: JOB, sessionId: 'sess_x', publicUrl: 'http://a.test', lastEventId: null });
    expect(fanout.subscriberCount()).toBe(0);
    expect(events.subscriberCount(JOB)).toBe(0);
  });

  it('ends every stream of a job whose event log is deleted', async () => {
    const { res, following } = follow();
    await following;
    await events.delete(JOB);
    await expect.poll(() => res.writableEnded).toBe(true);
    expect(fanout.subscriberCount()).toBe(0);
  });
});
