import type { Logger } from '../logger.js';

export interface PeriodicPassOptions {
  /** One pass: returns how much it did (files queued again, jobs deleted), for the caller's log. */
  run: () => Promise<number>;
  /** Time between the end of one pass and the start of the next. */
  intervalMs: number;
  /**
   * Runs a pass only when no other process is running one (a lock shared by every process);
   * resolves null when it skipped. Default: always runs (one process).
   */
  exclusive?: (work: () => Promise<number>) => Promise<number | null>;
  /** What a pass does, for the log line of a failed one (e.g. "Reconciling the queue with the job store"). */
  what: string;
  logger: Logger;
}

export interface PeriodicPass {
  /** One pass now; null when another process holds the lock. */
  runOnce(): Promise<number | null>;
  /** Runs a pass every `intervalMs` until `stop`; the first one at once with `immediately`. */
  start(opts?: { immediately?: boolean }): void;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

/**
 * Housekeeping that runs at start and every `intervalMs`, at most one pass at a time across the
 * deployment when `exclusive` says so: the reconciler (files with no live queue entry queued again,
 * see requeueOrphans) and the retention sweep. A failed pass is logged and the next one tries again.
 */
export function createPeriodicPass(opts: PeriodicPassOptions): PeriodicPass {
  const exclusive = opts.exclusive ?? ((work) => work());
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  function runOnce(): Promise<number | null> {
    const pass = exclusive(opts.run);
    running = pass.catch(() => undefined);
    return pass;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce()
        .catch((error: unknown) => opts.logger.warn({ err: error }, `${opts.what} failed; trying again later`))
        .finally(() => schedule(opts.intervalMs));
    }, delayMs);
    timer.unref();
  }

  return {
    runOnce,
    start: ({ immediately = false } = {}) => schedule(immediately ? 0 : opts.intervalMs),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
