interface Slot {
  running: Promise<void> | null;
  queued: Promise<void> | null;
  /** A deferred write (`persistLater`) that no write has absorbed yet. */
  deferred: NodeJS.Timeout | null;
  /** Preconditions of changes made so far that have not settled yet (see `persist`). */
  preconditions: Set<Promise<unknown>>;
}

/**
 * `write(key, ready)`: serialise the state synchronously, before its first await; write it out;
 * and put it in place only once `ready` resolves (if it rejects, throw instead, replacing nothing).
 */
export type SnapshotWrite = (key: string, ready: Promise<unknown>) => Promise<void>;

/**
 * Serialises writes per key and coalesces bursts (group commit). `write` must serialise the state
 * as it is when the write *starts*, so a later write always carries newer state than an earlier
 * one, and an older snapshot can never overwrite a newer one. Callers that persist while a write is
 * already waiting share that write (it will include their change).
 */
export class FileWriter {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly write: SnapshotWrite,
    /** How long `persistLater` waits for a durable write to carry its change instead. @default 200 */
    private readonly deferMs = 200,
  ) {}

  /**
   * Resolves once a write that started after this call has finished. With `after`, no snapshot
   * taken from now until `after` settles is put in place before it resolves (e.g. the files the
   * change points at are durable), while the snapshot itself is already being written; if `after`
   * rejects, those writes fail, and the caller must have undone its change by then (in `after`'s
   * own rejection), since writes starting later do not wait for it.
   */
  persist(key: string, after?: Promise<unknown>): Promise<void> {
    const s = this.slotOf(key);
    if (after) {
      s.preconditions.add(after);
      const settled = (): void => void s.preconditions.delete(after);
      after.then(settled, settled);
    }
    if (s.deferred) {
      // This write carries the deferred change too.
      clearTimeout(s.deferred);
      s.deferred = null;
    }
    if (s.queued) return s.queued;
    const previous = s.running ?? Promise.resolve();
    const next: Promise<void> = previous
      .catch(() => undefined)
      .then(() => {
        s.queued = null;
        s.running = next;
        // Captured with the snapshot: every change it holds was made before this instant.
        const ready = Promise.all(s.preconditions);
        ready.catch(() => undefined); // a write that ends early never awaits it
        return this.write(key, ready);
      })
      .finally(() => {
        if (s.running !== next) return;
        s.running = null;
        this.release(key, s);
      });
    s.queued = next;
    return next;
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
    for (let slot = this.slots.get(key); slot; slot = this.slots.get(key)) {
      const flushed = slot.deferred ? this.persist(key) : null;
      await Promise.allSettled([slot.running, slot.queued, flushed]);
    }
  }

  async settleAll(): Promise<void> {
    await Promise.all([...this.slots.keys()].map((key) => this.settled(key)));
  }

  private slotOf(key: string): Slot {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { running: null, queued: null, deferred: null, preconditions: new Set() };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private release(key: string, slot: Slot): void {
    if (!slot.queued && !slot.deferred && this.slots.get(key) === slot) this.slots.delete(key);
  }
}
