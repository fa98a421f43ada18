import { describe, expect, it } from 'vitest';
import { FileWriter } from './file-writer.js';

/** A fake write that records the state it persisted, finishing after `delays[n]` ms. */
function recorder(delays: number[] = [], deferMs?: number) {
  let state = 0;
  let running = 0;
  let peak = 0;
  const persisted: number[] = [];
  const writer = new FileWriter(async () => {
    const snapshot = state; // taken when the write starts
    running += 1;
    peak = Math.max(peak, running);
    await new Promise((resolve) => setTimeout(resolve, delays[persisted.length] ?? 5));
    persisted.push(snapshot);
    running -= 1;
  }, deferMs);
  return {
    writer,
    persisted,
    peak: () => peak,
    set(value: number) {
      state = value;
    },
  };
}

describe('FileWriter', () => {
  it('never runs two writes of one key at once, so the last write carries the newest state', async () => {
    const r = recorder([30, 1, 1]);
    r.set(1);
    const first = r.writer.persist('job');
    await new Promise((resolve) => setTimeout(resolve, 5)); // the first write is running
    r.set(2);
    const second = r.writer.persist('job');
    await Promise.all([first, second]);
    expect(r.peak()).toBe(1);
    expect(r.persisted).toEqual([1, 2]);
  });

  it('coalesces a burst behind a running write into one further write', async () => {
    const r = recorder([20]);
    const calls = [r.writer.persist('job')];
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 1; i <= 10; i++) {
      r.set(i);
      calls.push(r.writer.persist('job'));
    }
    await Promise.all(calls);
    expect(r.persisted).toEqual([0, 10]);
  });

  it('waits for writes in flight when asked to settle', async () => {
    const r = recorder([20]);
    void r.writer.persist('a');
    await r.writer.settleAll();
    expect(r.persisted).toEqual([0]);
  });

  it('lets a durable write that follows a deferred one carry both changes in one write', async () => {
    const r = recorder([], 50);
    r.set(1);
    r.writer.persistLater('job', fail);
    r.set(2);
    await r.writer.persist('job');
    await new Promise((resolve) => setTimeout(resolve, 80)); // past the deferral
    expect(r.persisted).toEqual([2]);
  });

  it('writes a deferred change by itself within the deferral, once for a burst', async () => {
    const r = recorder([], 20);
    for (let i = 1; i <= 5; i++) {
      r.set(i);
      r.writer.persistLater('job', fail);
    }
    expect(r.persisted).toEqual([]);
    for (let waited = 0; r.persisted.length === 0 && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(r.persisted).toEqual([5]);
  });

  it('defers a change made while a write runs, since that write may have missed it', async () => {
    const r = recorder([20], 10);
    const first = r.writer.persist('job');
    await new Promise((resolve) => setTimeout(resolve, 5)); // running, its snapshot taken
    r.set(1);
    r.writer.persistLater('job', fail);
    await first;
    await r.writer.settleAll();
    expect(r.persisted).toEqual([0, 1]);
  });

  it('starts a deferred write at once when asked to settle', async () => {
    const r = recorder([], 60_000);
    r.set(7);
    r.writer.persistLater('job', fail);
    await r.writer.settleAll();
    expect(r.persisted).toEqual([7]);
  });
});

describe('FileWriter with preconditions', () => {
  /** A write that records its snapshot as taken, then as put in place once `ready` resolves. */
  function twoPhase() {
    let state = 0;
    const taken: number[] = [];
    const placed: number[] = [];
    const writer = new FileWriter(async (_key, ready) => {
      const snapshot = state;
      taken.push(snapshot);
      await ready;
      placed.push(snapshot);
    });
    return { writer, taken, placed, set: (value: number) => (state = value) };
  }

  it('writes a snapshot at once but puts it in place only once the change it holds is ready', async () => {
    const w = twoPhase();
    let ready = (): void => undefined;
    w.set(1);
    const persisted = w.writer.persist('job', new Promise<void>((resolve) => (ready = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(w.taken).toEqual([1]);
    expect(w.placed).toEqual([]);
    ready();
    await persisted;
    expect(w.placed).toEqual([1]);
  });

  it('holds a later snapshot too, since it carries the earlier change, but not one taken before it', async () => {
    const w = twoPhase();
    let ready = (): void => undefined;
    w.set(1);
    const early = w.writer.persist('job');
    await new Promise((resolve) => setImmediate(resolve)); // its snapshot is taken, without the change below
    w.set(2);
    const held = w.writer.persist('job', new Promise<void>((resolve) => (ready = resolve)));
    await early;
    expect(w.placed).toEqual([1]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    w.set(3);
    const later = w.writer.persist('job'); // queued behind the held write: it carries 2 as well
    expect(w.placed).toEqual([1]);
    ready();
    await Promise.all([held, later]);
    expect(w.placed).toEqual([1, 2, 3]);
  });

  it('fails the writes holding a change whose precondition fails, and not the writes after it settled', async () => {
    const w = twoPhase();
    w.set(1);
    const failing = w.writer.persist('job', new Promise((_, reject) => setTimeout(() => reject(new Error('sync failed')), 10)));
    await expect(failing).rejects.toThrow('sync failed');
    expect(w.taken).toEqual([1]);
    w.set(2);
    await w.writer.persist('job');
    expect(w.placed).toEqual([2]);
  });
});

function fail(error: unknown): never {
  throw error;
}
