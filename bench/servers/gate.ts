/**
 * Holds generations until the runner lets them go: the pipeline cases queue work up behind
 * held worker slots, then time it from the release.
 */
export class Gate {
  private closed: { promise: Promise<void>; open: () => void } | null = null;
  /** Generations waiting at the gate now. */
  held = 0;

  /** From now on `pass()` waits until `open()`. */
  hold(): void {
    if (this.closed) return;
    let open = (): void => undefined;
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.closed = { promise, open };
  }

  open(): void {
    this.closed?.open();
    this.closed = null;
  }

  /** Resolves at once when the gate is open, else when it opens. */
  async pass(): Promise<void> {
    if (!this.closed) return;
    this.held += 1;
    try {
      await this.closed.promise;
    } finally {
      this.held -= 1;
    }
  }
}
