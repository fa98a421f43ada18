import { setMaxListeners } from 'node:events';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeJobEventsContract, take } from '../../jobs/job-events.contract.js';
import type { JobEventPayload } from '../../jobs/job-events.js';
import { FsJobEvents } from './job-events.fs.js';

async function tempRoot(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'i2m-events-'));
}

describeJobEventsContract('FsJobEvents', async () => {
  const root = await tempRoot();
  let current = new FsJobEvents({ root });
  return {
    events: current,
    async reopen() {
      await current.close();
      current = new FsJobEvents({ root });
      return current;
    },
    async cleanup() {
      await current.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

const JOB = 'batch_20240315_123456_fsevts';
const progress = (value: number): JobEventPayload => ({ type: 'progress', job_id: JOB, file_id: 'file_001', progress: value });

describe('FsJobEvents on disk', () => {
  const roots: string[] = [];
  afterEach(async () => {
    await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
  });
  async function open(opts: { maxCachedJobs?: number } = {}) {
    const root = await tempRoot();
    roots.push(root);
    return { root, events: new FsJobEvents({ root, ...opts }), file: path.join(root, 'jobs', JOB, 'events.jsonl') };
  }

  it('stores one JSON event per line with ids 1, 2, 3…', async () => {
    const { events, file } = await open();
    await events.append(JOB, progress(0));
    await events.append(JOB, progress(10));
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { ...progress(0), id: '1' },
      { ...progress(10), id: '2' },
    ]);
  });

  it('writes a burst of concurrent appends in id order, each stored before it is published', async () => {
    const { root, events, file } = await open();
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const event of events.subscribe(JOB, { signal: controller.signal })) {
        // Published only once on disk: a fresh reader of the file already has it.
        const onDisk = await new FsJobEvents({ root }).since(JOB, null);
        if (onDisk.some((e) => e.id === event.id)) seen.push(event.id);
        if (seen.length === 40) controller.abort();
      }
    })();
    const appended = await Promise.all(Array.from({ length: 40 }, (_, i) => events.append(JOB, progress(i))));
    await following.catch(() => undefined);
    const ids = Array.from({ length: 40 }, (_, i) => String(i + 1));
    expect(appended.map((e) => e.id)).toEqual(ids);
    expect(seen).toEqual(ids);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string; progress: number }).progress)).toEqual(ids.map((id) => Number(id) - 1));
  });

  it('gives ids in call order, also to appends made while the log is being loaded from disk', async () => {
    const { root, events: first } = await open();
    await first.append(JOB, progress(0));
    await first.close();
    for (let hops = 0; hops < 12; hops++) {
      const events = new FsJobEvents({ root });
      const a = events.append(JOB, progress(1)); // loads the log
      // The second append comes a few microtasks after the load finishes, as a provider's hook may.
      const loaded = events.since(JOB, null);
      let chain: Promise<unknown> = loaded;
      for (let i = 0; i < hops; i++) chain = chain.then(() => undefined);
      const b = chain.then(() => events.append(JOB, progress(2)));
      const [first_, second] = await Promise.all([a, b]);
      expect(Number(second.id), `after ${hops} hops`).toBeGreaterThan(Number(first_.id));
      await events.close();
    }
  });

  it('ignores a torn last line after a crash and appends cleanly after it', async () => {
    const { root, events, file } = await open();
    await events.append(JOB, progress(1));
    await events.append(JOB, progress(2));
    await events.close();
    await appendFile(file, '{"type":"progress","job_id":"batch_2');
    const reopened = new FsJobEvents({ root });
    expect((await reopened.since(JOB, null)).map((e) => e.id)).toEqual(['1', '2']);
    const next = await reopened.append(JOB, progress(3));
    expect(next.id).toBe('3');
    const again = new FsJobEvents({ root });
    expect((await again.since(JOB, null)).map((e) => [e.id, e.type === 'progress' ? e.progress : null])).toEqual([
      ['1', 1],
      ['2', 2],
      ['3', 3],
    ]);
  });

  /** The log cannot be written while the job's directory is a plain file (ENOTDIR, like a full disk's ENOSPC). */
  async function blockLog(root: string): Promise<(leftover?: string) => Promise<void>> {
    const dir = path.join(root, 'jobs', JOB);
    const saved = await readFile(path.join(dir, 'events.jsonl'));
    await rm(dir, { recursive: true });
    await writeFile(dir, '');
    return async (leftover = '') => {
      await rm(dir);
      await mkdir(dir);
      await writeFile(path.join(dir, 'events.jsonl'), Buffer.concat([saved, Buffer.from(leftover)]));
    };
  }

  it('publishes events it cannot store, with ids after the last stored one that a replay never skips past', async () => {
    const { root, events, file } = await open();
    await events.append(JOB, progress(1));
    const unblock = await blockLog(root);
    const controller = new AbortController();
    const live = events.subscribe(JOB, { signal: controller.signal });
    const failed = await events.append(JOB, { type: 'failed', job_id: JOB, file_id: 'file_001', error: { code: 'INSUFFICIENT_STORAGE', message: 'full' } });
    const done = await events.append(JOB, { type: 'done', job_id: JOB, status: 'failed' });
    expect([failed.id, done.id]).toEqual(['1.1', '1.2']);
    expect((await take(live, 2)).map((e) => [e.id, e.type])).toEqual([
      ['1.1', 'failed'],
      ['1.2', 'done'],
    ]);
    controller.abort();
    // This process's late joiners replay them too, in order.
    expect((await events.since(JOB, null)).map((e) => e.id)).toEqual(['1', '1.1', '1.2']);
    expect((await events.since(JOB, '1.1')).map((e) => e.id)).toEqual(['1.2']);

    // Space is back; the failed append had left half a line behind.
    await unblock('{"type":"failed","job_id":"batch_2');
    const next = await events.append(JOB, progress(2));
    expect(next.id).toBe('2');
    expect(events.compareIds('1', '1.2')).toBeLessThan(0);
    expect(events.compareIds('1.2', '2')).toBeLessThan(0);
    expect((await events.since(JOB, '1.2')).map((e) => e.id)).toEqual(['2']);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['1', '2']);

    // Another process (a restart) has only the stored events: a client resuming after `1.2` gets
    // every stored event after `1`, so none is skipped for an id that was never stored.
    const restarted = new FsJobEvents({ root });
    expect((await restarted.since(JOB, '1.2')).map((e) => e.id)).toEqual(['2']);
    expect((await restarted.since(JOB, null)).map((e) => e.id)).toEqual(['1', '2']);
  });

  it('removes its listener when a subscription ends, by abort or by return', async () => {
    const { events } = await open();
    const controller = new AbortController();
    setMaxListeners(0, controller.signal); // one signal shared by many subscriptions, on purpose
    const subscriptions = Array.from({ length: 1000 }, () => events.subscribe(JOB, { signal: controller.signal }));
    const other = new AbortController();
    const returned = events.subscribe(JOB, { signal: other.signal });
    expect(events.subscriberCount(JOB)).toBe(1001);
    await events.append(JOB, progress(5));
    expect(await take(subscriptions[999] ?? returned, 1)).toHaveLength(1);
    controller.abort();
    expect(events.subscriberCount(JOB)).toBe(1);
    await returned[Symbol.asyncIterator]().return?.();
    expect(events.subscriberCount(JOB)).toBe(0);
  });

  it('ends live subscriptions when the job log is deleted', async () => {
    const { events } = await open();
    const live = events.subscribe(JOB, { signal: new AbortController().signal });
    await events.delete(JOB);
    expect(await live[Symbol.asyncIterator]().next()).toEqual({ value: undefined, done: true });
    expect(events.subscriberCount(JOB)).toBe(0);
  });

  it('re-reads an evicted job log from disk with its ids intact', async () => {
    const { events, root } = await open({ maxCachedJobs: 1 });
    await events.append(JOB, progress(1));
    await events.append('batch_20240315_123456_other1', progress(1));
    await events.append('batch_20240315_123456_other2', progress(1));
    expect((await events.append(JOB, progress(2))).id).toBe('2');
    expect((await events.since(JOB, null)).map((e) => e.id)).toEqual(['1', '2']);
    await events.append('batch_20240315_123456_other1', progress(2)); // evicts JOB again
    // Written behind the cache's back: only a re-read from disk can see it.
    await appendFile(path.join(root, 'jobs', JOB, 'events.jsonl'), `${JSON.stringify({ ...progress(3), id: '3' })}\n`);
    expect((await events.since(JOB, '2')).map((e) => e.id)).toEqual(['3']);
  });

  it('replays everything for an id beyond the log, such as one from before the data was wiped', async () => {
    const { events } = await open();
    await events.append(JOB, progress(1));
    expect((await events.since(JOB, '999')).map((e) => e.id)).toEqual(['1']);
  });

  it('treats path-like job ids as unknown and never touches the disk for them', async () => {
    const { events, root } = await open();
    await mkdir(path.join(root, 'secret'));
    await writeFile(path.join(root, 'secret', 'events.jsonl'), `${JSON.stringify({ ...progress(1), id: '1' })}\n`);
    expect(await events.since('../secret', null)).toEqual([]);
    expect(await events.since('../../etc', null)).toEqual([]);
    await expect(events.append('../x', progress(1))).rejects.toThrow(/Invalid job id/);
  });
});
