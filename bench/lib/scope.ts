/**
 * Everything a case starts (children, servers, temp dirs) registers its undo here; the runner
 * disposes the scope when the case ends, fails or runs out of time, in reverse order.
 */
export class Scope {
  private readonly undo: (() => Promise<void> | void)[] = [];

  defer(fn: () => Promise<void> | void): void {
    this.undo.push(fn);
  }

  async dispose(): Promise<void> {
    for (const fn of this.undo.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`bench: cleanup failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }
}
