import type { Logger } from '../logger.js';

export interface ReconcilerOptions {
  /** One pass: returns how many files it queued again (JobService.resumeUnfinished). */
  reconcile: () => Promise<number>;
  /** Time between the end of one pass and the start of the next. */
  intervalMs: number;
  /**
   * Runs a pass only when no other process is running one (a lock shared by every worker);
   * resolves null when it skipped. Default: always runs (one process).
   */
  exclusive?: (work: () => Promise<number>) => Promise<number | null>;
  logger: Logger;
}

export interface Reconciler {
  /** One pass now; null when another process holds the lock. */
  runOnce(): Promise<number | null>;
  /** Runs a pass every `intervalMs` until `stop`. */
  start(): void;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

/**
 * Re-queues, at start and every `intervalMs`, files that are pending or processing with no live
 * queue entry (see requeueOrphans). A failed pass is logged and the next one tries again.
 */
export function createReconciler(opts: ReconcilerOptions): Reconciler {
  const exclusive = opts.exclusive ?? ((work) => work());
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  function runOnce(): Promise<number | null> {
    const pass = exclusive(opts.reconcile);
    running = pass.catch(() => undefined);
    return pass;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce()
        .catch((error: unknown) => opts.logger.warn({ err: error }, 'Reconciling the queue with the job store failed; trying again later'))
        .finally(schedule);
    }, opts.intervalMs);
    timer.unref();
  }

  return {
    runOnce,
    start: schedule,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
