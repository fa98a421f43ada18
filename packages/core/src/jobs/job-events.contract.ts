import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobEvent, JobEventPayload, JobEvents } from './job-events.js';

export interface JobEventsHarness {
  events: JobEvents;
  /** Closes and opens a new instance on the same persisted log; omit for memory-only adapters. */
  reopen?: () => Promise<JobEvents>;
  cleanup(): Promise<void>;
}

function newJobId(): string {
  return `batch_20240315_123456_${randomBytes(3).toString('hex')}`;
}

function progress(jobId: string, value: number): JobEventPayload {
  return { type: 'progress', job_id: jobId, file_id: 'file_001', progress: value };
}

/** Reads `count` events from a live subscription, failing after `timeoutMs`. */
export async function take(iterable: AsyncIterable<JobEvent>, count: number, timeoutMs = 2000): Promise<JobEvent[]> {
  const received: JobEvent[] = [];
  if (count === 0) return received;
  const iterator = iterable[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${received.length} of ${count} events`)), timeoutMs);
  });
  try {
    while (received.length < count) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) break;
      received.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return received;
}

/** The behaviour every JobEvents adapter must have; run it against each one. */
export function describeJobEventsContract(name: string, factory: () => Promise<JobEventsHarness>): void {
  describe(`JobEvents contract: ${name}`, () => {
    let harness: JobEventsHarness;
    let events: JobEvents;
    let jobId: string;

    beforeEach(async () => {
      harness = await factory();
      events = harness.events;
      jobId = newJobId();
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('assigns increasing ids and replays everything, or what followed a given id', async () => {
      const appended: JobEvent[] = [];
      for (let i = 0; i < 12; i++) appended.push(await events.append(jobId, progress(jobId, i)));
      expect(appended[0]).toMatchObject(progress(jobId, 0));
      for (let i = 1; i < appended.length; i++) {
        expect(events.compareIds(appended[i - 1]?.id ?? '', appended[i]?.id ?? '')).toBeLessThan(0);
        expect(events.compareIds(appended[i]?.id ?? '', appended[i - 1]?.id ?? '')).toBeGreaterThan(0);
      }
      expect(await events.since(jobId, null)).toEqual(appended);
      expect(await events.since(jobId, appended[8]?.id ?? '')).toEqual(appended.slice(9));
      expect(await events.since(jobId, appended[11]?.id ?? '')).toEqual([]);
      expect(events.compareIds(appended[3]?.id ?? '', appended[3]?.id ?? '')).toBe(0);
    });

    it('replays everything for an unknown last id', async () => {
      const a = await events.append(jobId, progress(jobId, 1));
      expect(await events.since(jobId, 'not-an-id')).toEqual([a]);
    });

    it('keeps the jobs apart and returns nothing for a job without events', async () => {
      const other = newJobId();
      await events.append(jobId, progress(jobId, 1));
      const theirs = await events.append(other, progress(other, 2));
      expect(await events.since(other, null)).toEqual([theirs]);
      expect(await events.since(newJobId(), null)).toEqual([]);
    });

    it('delivers to a subscriber only what is appended after it subscribed, in order', async () => {
      const controller = new AbortController();
      await events.append(jobId, progress(jobId, 1));
      const live = events.subscribe(jobId, { signal: controller.signal });
      await events.append(newJobId(), progress(jobId, 99));
      const later = [await events.append(jobId, progress(jobId, 2)), await events.append(jobId, { type: 'done', job_id: jobId, status: 'completed' })];
      expect(await take(live, 2)).toEqual(later);
      controller.abort();
    });

    it('loses nothing between replay and live when subscribing before replaying', async () => {
      const controller = new AbortController();
      const first = await events.append(jobId, progress(jobId, 0));
      const live = events.subscribe(jobId, { signal: controller.signal });
      const appending = Promise.all(Array.from({ length: 10 }, (_, i) => events.append(jobId, progress(jobId, i + 1))));
      const replay = await events.since(jobId, null);
      const all = [first, ...(await appending)].sort((a, b) => events.compareIds(a.id, b.id));
      const newest = replay.at(-1)?.id ?? first.id;
      const fresh = (await take(live, 10)).filter((e) => events.compareIds(e.id, newest) > 0);
      expect([...replay, ...fresh]).toEqual(all);
      controller.abort();
    });

    it('gives every subscriber of a job the same events', async () => {
      const controller = new AbortController();
      setMaxListeners(0, controller.signal); // one signal shared by many subscriptions, on purpose
      const subscribers = Array.from({ length: 50 }, () => events.subscribe(jobId, { signal: controller.signal }));
      const appended = [await events.append(jobId, progress(jobId, 1)), await events.append(jobId, progress(jobId, 2))];
      const received = await Promise.all(subscribers.map((s) => take(s, 2)));
      for (const r of received) expect(r).toEqual(appended);
      controller.abort();
    });

    it('ends the iteration when the signal aborts', async () => {
      const controller = new AbortController();
      const live = events.subscribe(jobId, { signal: controller.signal });
      const drained = (async () => {
        const got: JobEvent[] = [];
        for await (const event of live) got.push(event);
        return got;
      })();
      const only = await events.append(jobId, progress(jobId, 1));
      await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort();
      expect(await drained).toEqual([only]);
    });

    it('yields nothing for a signal that is already aborted', async () => {
      const live = events.subscribe(jobId, { signal: AbortSignal.abort() });
      await events.append(jobId, progress(jobId, 1));
      const got: JobEvent[] = [];
      for await (const event of live) got.push(event);
      expect(got).toEqual([]);
    });

    it('stops delivering once the consumer breaks out of the loop', async () => {
      const controller = new AbortController();
      const live = events.subscribe(jobId, { signal: controller.signal });
      await events.append(jobId, progress(jobId, 1));
      for await (const event of live) {
        expect(event.type).toBe('progress');
        break;
      }
      await events.append(jobId, progress(jobId, 2));
      const after = await live[Symbol.asyncIterator]().next();
      expect(after.done).toBe(true);
      controller.abort();
    });

    it('deletes a job log', async () => {
      await events.append(jobId, progress(jobId, 1));
      await events.delete(jobId);
      expect(await events.since(jobId, null)).toEqual([]);
    });

    it('keeps the log and keeps ids increasing after a reopen', async (ctx) => {
      if (!harness.reopen) return ctx.skip();
      const before = [await events.append(jobId, progress(jobId, 1)), await events.append(jobId, progress(jobId, 2))];
      events = await harness.reopen();
      expect(await events.since(jobId, null)).toEqual(before);
      const next = await events.append(jobId, progress(jobId, 3));
      expect(events.compareIds(next.id, before[1]?.id ?? '')).toBeGreaterThan(0);
      expect(await events.since(jobId, before[1]?.id ?? '')).toEqual([next]);
    });
  });
}
