/** A snapshot written out (e.g. to a synced temp file), waiting to be put in place or dropped. */
export interface PreparedWrite {
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/**
 * Takes a snapshot of `key`'s state synchronously, before its first await, and writes it out;
 * null when there is nothing to write (the key is gone).
 */
export type PrepareWrite = (key: string) => Promise<PreparedWrite | null>;

interface Write {
  promise: Promise<void>;
  run(): void;
}

interface Slot {
  /** Writes whose snapshot is taken, until they are put in place or dropped. */
  running: Set<Promise<void>>;
  /** The next write, whose snapshot is not taken yet: every `persist` until it starts joins it. */
  queued: Write | null;
  /** A deferred write (`persistLater`) that no write has absorbed yet. */
  deferred: NodeJS.Timeout | null;
  /** Preconditions of changes made so far that have not settled yet (see `persist`). */
  preconditions: Set<Promise<unknown>>;
  /** Snapshots are numbered in the order they are taken; the newest one put in place wins. */
  taken: number;
  placed: number;
  /** Puts prepared snapshots in place one at a time. */
  placing: Promise<void>;
}

/** Two writes of one key overlap at most: one being synced while the next snapshot is written. */
const MAX_RUNNING = 2;

/**
 * Persists snapshots of per-key state, many changes per write (group commit). A snapshot is taken
 * when its write starts, so a later one carries every change an earlier one has; writes overlap
 * (the next is written and synced while the previous one waits or is put in place), and a
 * snapshot older than the one in place is dropped instead of put in place, so an older state can
 * never replace a newer one. Callers that persist before a write starts share that write.
 */
export class FileWriter {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly prepare: PrepareWrite,
    /** How long `persistLater` waits for a durable write to carry its change instead. @default 200 */
    private readonly deferMs = 200,
  ) {}

  /**
   * Resolves once a snapshot taken after this call (or a newer one) is in place. With `after`, no
   * snapshot taken from now until `after` settles is put in place before it resolves (e.g. the
   * files the change points at are durable), while it is already being written; if `after`
   * rejects, those writes fail, and the caller must have undone its change by then (in `after`'s
   * own rejection), since writes starting later do not wait for it.
   */
  persist(key: string, after?: Promise<unknown>): Promise<void> {
    const s = this.slotOf(key);
    if (after) {
      s.preconditions.add(after);
      const settled = (): void => {
        s.preconditions.delete(after);
        this.release(key, s);
      };
      after.then(settled, settled);
    }
    if (s.deferred) {
      // This write carries the deferred change too.
      clearTimeout(s.deferred);
      s.deferred = null;
    }
    if (!s.queued) {
      s.queued = this.createWrite(key, s);
      // Started after the current synchronous step, so changes made in it share the write.
      queueMicrotask(() => this.pump(s));
    }
    return s.queued.promise;
  }

  /**
   * Writes a change nobody waits for (one a crash may lose): within `deferMs`, or sooner as part
   * of the next `persist`, so a durable write that follows soon after costs one write, not two.
   * Failures are passed to `onError`.
   */
  persistLater(key: string, onError: (error: unknown) => void): void {
    const s = this.slotOf(key);
    if (s.deferred || s.queued) return; // a write still to start will carry this change
    s.deferred = setTimeout(() => {
      s.deferred = null;
      this.persist(key).catch(onError);
    }, this.deferMs);
  }

  /** Waits until no write for `key` is running, waiting or deferred (a deferred one starts now). */
  async settled(key: string): Promise<void> {
    for (let slot = this.slots.get(key); slot && (slot.running.size > 0 || slot.queued || slot.deferred); slot = this.slots.get(key)) {
      const flushed = slot.deferred ? this.persist(key) : null;
      await Promise.allSettled([...slot.running, slot.queued?.promise, flushed]);
    }
  }

  /** True while a write of `key` is running, waiting, deferred or held by a precondition. */
  busy(key: string): boolean {
    return this.slots.has(key);
  }

  async settleAll(): Promise<void> {
    await Promise.all([...this.slots.keys()].map((key) => this.settled(key)));
  }

  private createWrite(key: string, s: Slot): Write {
    let run = (): void => undefined;
    const promise = new Promise<void>((resolve, reject) => {
      run = () => {
        const running = this.runWrite(key, s);
        s.running.add(running);
        running.then(resolve, reject).finally(() => {
          s.running.delete(running);
          this.pump(s);
          this.release(key, s);
        });
      };
    });
    return { promise, run };
  }

  private async runWrite(key: string, s: Slot): Promise<void> {
    const number = ++s.taken;
    // Captured with the snapshot: every change it holds was made before this instant.
    const ready = Promise.all(s.preconditions);
    ready.catch(() => undefined); // a write that ends early never awaits it
    const prepared = await this.prepare(key);
    if (!prepared) return;
    try {
      await ready;
    } catch (error) {
      await prepared.discard();
      throw error;
    }
    const placing = s.placing.then(() => (number > s.placed ? prepared.commit().then(() => void (s.placed = number)) : prepared.discard()));
    s.placing = placing.catch(() => undefined);
    await placing;
  }

  private pump(s: Slot): void {
    while (s.queued && s.running.size < MAX_RUNNING) {
      const next = s.queued;
      s.queued = null;
      next.run();
    }
  }

  private slotOf(key: string): Slot {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { running: new Set(), queued: null, deferred: null, preconditions: new Set(), taken: 0, placed: 0, placing: Promise.resolve() };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private release(key: string, slot: Slot): void {
    const idle = slot.running.size === 0 && !slot.queued && !slot.deferred && slot.preconditions.size === 0;
    if (idle && this.slots.get(key) === slot) this.slots.delete(key);
  }
}
