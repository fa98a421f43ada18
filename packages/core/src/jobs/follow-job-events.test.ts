import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FsJobEvents } from '../adapters/fs/job-events.fs.js';
import { followJobEvents } from './follow-job-events.js';
import type { JobEvent, JobEventPayload, JobEvents } from './job-events.js';

const JOB = 'batch_20240315_123456_follow';
const progress = (value: number): JobEventPayload => ({ type: 'progress', job_id: JOB, file_id: 'file_001', progress: value });
const done: JobEventPayload = { type: 'done', job_id: JOB, status: 'completed' };

async function collect(stream: AsyncIterable<JobEvent>, onEach?: (event: JobEvent) => Promise<void>): Promise<string[]> {
  const ids: string[] = [];
  for await (const event of stream) {
    ids.push(`${event.id}:${event.type}`);
    await onEach?.(event);
  }
  return ids;
}

describe('followJobEvents', () => {
  const roots: string[] = [];
  const opened: JobEvents[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((events) => events.close()));
    await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
  });
  async function open(): Promise<FsJobEvents> {
    const root = await mkdtemp(path.join(os.tmpdir(), 'i2m-follow-'));
    roots.push(root);
    const events = new FsJobEvents({ root });
    opened.push(events);
    return events;
  }

  it('replays what came after the last id, then follows live events to done, each once', async () => {
    const events = await open();
    await events.append(JOB, progress(10));
    await events.append(JOB, progress(20));
    const stream = followJobEvents(events, JOB, { lastEventId: '1' });
    let appended = false;
    const ids = await collect(stream, async () => {
      if (appended) return;
      appended = true;
      await events.append(JOB, progress(30));
      await events.append(JOB, done);
    });
    expect(ids).toEqual(['2:progress', '3:progress', '4:done']);
  });

  it('ends after the replay when the job is over, skipping a done that later events superseded', async () => {
    const events = await open();
    await events.append(JOB, done);
    await events.append(JOB, progress(0));
    await events.append(JOB, done);
    expect(await collect(followJobEvents(events, JOB, { lastEventId: null }))).toEqual(['2:progress', '3:done']);
  });

  it('ends at once for a follower that already has the final done', async () => {
    const events = await open();
    await events.append(JOB, progress(50));
    await events.append(JOB, done);
    expect(await collect(followJobEvents(events, JOB, { lastEventId: '2' }))).toEqual([]);
  });

  it('skips live events the replay already held, when the live feed lags the log', async () => {
    const events = await open();
    await events.append(JOB, progress(10));
    await events.append(JOB, progress(20));
    const stored = await events.since(JOB, null);
    // A feed that first delivers events from before the subscription, as a lagging Redis XREAD can.
    const lagging: JobEvents = {
      append: (jobId, event) => events.append(jobId, event),
      delete: (jobId) => events.delete(jobId),
      close: () => events.close(),
      since: (jobId, lastEventId) => events.since(jobId, lastEventId),
      compareIds: (a, b) => events.compareIds(a, b),
      subscribe(jobId, opts) {
        const live = events.subscribe(jobId, opts);
        return (async function* () {
          yield* stored;
          yield* live;
        })();
      },
    };
    const following = collect(followJobEvents(lagging, JOB, { lastEventId: null }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await events.append(JOB, done);
    expect(await following).toEqual(['1:progress', '2:progress', '3:done']);
  });

  it('stops when its signal aborts', async () => {
    const events = await open();
    await events.append(JOB, progress(10));
    const controller = new AbortController();
    const following = collect(followJobEvents(events, JOB, { lastEventId: null, signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(await following).toEqual(['1:progress']);
  });
});
