interface Slot {
  running: Promise<void> | null;
  queued: Promise<void> | null;
}

/**
 * Serialises writes per key and coalesces bursts. `write(key)` must serialise the state as it is
 * when the write *starts*, so a later write always carries newer state than an earlier one, and an
 * older snapshot can never overwrite a newer one. Callers that persist while a write is already
 * waiting share that write (it will include their change).
 */
export class FileWriter {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly write: (key: string) => Promise<void>) {}

  /** Resolves once a write that started after this call has finished. */
  persist(key: string): Promise<void> {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { running: null, queued: null };
      this.slots.set(key, slot);
    }
    if (slot.queued) return slot.queued;
    const s = slot;
    const previous = s.running ?? Promise.resolve();
    const next: Promise<void> = previous
      .catch(() => undefined)
      .then(() => {
        s.queued = null;
        s.running = next;
        return this.write(key);
      })
      .finally(() => {
        if (s.running !== next) return;
        s.running = null;
        if (!s.queued) this.slots.delete(key);
      });
    s.queued = next;
    return next;
  }

  /** Waits until no write for `key` is running or waiting. */
  async settled(key: string): Promise<void> {
    for (let slot = this.slots.get(key); slot; slot = this.slots.get(key)) {
      await Promise.allSettled([slot.running, slot.queued]);
    }
  }

  async settleAll(): Promise<void> {
    await Promise.all([...this.slots.keys()].map((key) => this.settled(key)));
  }
}
