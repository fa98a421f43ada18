import { describe, expect, it } from 'vitest';
import { FileWriter } from './file-writer.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A fake store: `set` changes the state; each write takes its snapshot when it starts, is
 * "written" after `delays[n]` ms (the n-th write; 5 by default) and then put in place or dropped.
 */
function recorder(delays: number[] = [], deferMs?: number) {
  let state = 0;
  let writes = 0;
  let running = 0;
  let peak = 0;
  const taken: number[] = [];
  const placed: number[] = [];
  const writer = new FileWriter(async () => {
    const snapshot = state;
    taken.push(snapshot);
    const delay = delays[writes++] ?? 5;
    running += 1;
    peak = Math.max(peak, running);
    await sleep(delay);
    running -= 1;
    return {
      commit: async () => void placed.push(snapshot),
      discard: async () => undefined,
    };
  }, deferMs);
  return {
    writer,
    taken,
    placed,
    peak: () => peak,
    set(value: number) {
      state = value;
    },
  };
}

describe('FileWriter', () => {
  it('never puts an older snapshot over a newer one, even when the older one is written last', async () => {
    const r = recorder([40, 1]);
    r.set(1);
    const first = r.writer.persist('job');
    await sleep(5); // the first write is running
    r.set(2);
    const second = r.writer.persist('job');
    await Promise.all([first, second]);
    expect(r.taken).toEqual([1, 2]);
    expect(r.placed).toEqual([2]); // the first, slower one was dropped: the second carries its change
  });

  it('overlaps two writes at most, and coalesces a burst behind them into one further write', async () => {
    const r = recorder([20, 20, 5]);
    const calls = [r.writer.persist('job')];
    await sleep(2);
    r.set(1);
    calls.push(r.writer.persist('job'));
    await sleep(2);
    for (let i = 2; i <= 10; i++) {
      r.set(i);
      calls.push(r.writer.persist('job'));
    }
    await Promise.all(calls);
    expect(r.peak()).toBe(2);
    expect(r.taken).toEqual([0, 1, 10]);
    expect(r.placed.at(-1)).toBe(10);
  });

  it('shares one write among changes made in one synchronous step', async () => {
    const r = recorder();
    const calls = [1, 2, 3].map((value) => {
      r.set(value);
      return r.writer.persist('job');
    });
    await Promise.all(calls);
    expect(r.taken).toEqual([3]);
  });

  it('waits for writes in flight when asked to settle', async () => {
    const r = recorder([20]);
    void r.writer.persist('a');
    await r.writer.settleAll();
    expect(r.placed).toEqual([0]);
  });

  it('lets a durable write that follows a deferred one carry both changes in one write', async () => {
    const r = recorder([], 50);
    r.set(1);
    r.writer.persistLater('job', fail);
    r.set(2);
    await r.writer.persist('job');
    await sleep(80); // past the deferral
    expect(r.taken).toEqual([2]);
  });

  it('writes a deferred change by itself within the deferral, once for a burst', async () => {
    const r = recorder([], 20);
    for (let i = 1; i <= 5; i++) {
      r.set(i);
      r.writer.persistLater('job', fail);
    }
    expect(r.taken).toEqual([]);
    for (let waited = 0; r.placed.length === 0 && waited < 2000; waited += 10) await sleep(10);
    expect(r.placed).toEqual([5]);
  });

  it('defers a change made while a write runs, since that write may have missed it', async () => {
    const r = recorder([20], 10);
    const first = r.writer.persist('job');
    await sleep(5); // running, its snapshot taken
    r.set(1);
    r.writer.persistLater('job', fail);
    await first;
    await r.writer.settleAll();
    expect(r.taken).toEqual([0, 1]);
    expect(r.placed.at(-1)).toBe(1);
  });

  it('starts a deferred write at once when asked to settle', async () => {
    const r = recorder([], 60_000);
    r.set(7);
    r.writer.persistLater('job', fail);
    await r.writer.settleAll();
    expect(r.placed).toEqual([7]);
  });
});

describe('FileWriter with preconditions', () => {
  it('writes a snapshot at once but puts it in place only once the change it holds is ready', async () => {
    const r = recorder();
    let ready = (): void => undefined;
    r.set(1);
    const persisted = r.writer.persist('job', new Promise<void>((resolve) => (ready = resolve)));
    await sleep(20);
    expect(r.taken).toEqual([1]);
    expect(r.placed).toEqual([]);
    ready();
    await persisted;
    expect(r.placed).toEqual([1]);
  });

  it('holds a later snapshot too, since it carries the earlier change, but not one taken before it', async () => {
    const r = recorder([5, 5, 5]);
    let ready = (): void => undefined;
    r.set(1);
    const early = r.writer.persist('job');
    await new Promise((resolve) => setImmediate(resolve)); // its snapshot is taken, without the change below
    r.set(2);
    const held = r.writer.persist('job', new Promise<void>((resolve) => (ready = resolve)));
    await early;
    expect(r.placed).toEqual([1]);
    await sleep(10);
    r.set(3);
    const later = r.writer.persist('job');
    await sleep(20);
    expect(r.placed).toEqual([1]);
    ready();
    await Promise.all([held, later]);
    expect(r.placed.at(-1)).toBe(3);
  });

  it('fails the writes holding a change whose precondition fails, and not the writes after it settled', async () => {
    const r = recorder();
    r.set(1);
    const failing = r.writer.persist('job', new Promise((_, reject) => setTimeout(() => reject(new Error('sync failed')), 10)));
    await expect(failing).rejects.toThrow('sync failed');
    expect(r.taken).toEqual([1]);
    expect(r.placed).toEqual([]);
    r.set(2);
    await r.writer.persist('job');
    expect(r.placed).toEqual([2]);
  });
});

function fail(error: unknown): never {
  throw error;
}
