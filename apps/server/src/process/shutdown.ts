import type { Logger } from 'pino';

/** How far past the grace period a stuck shutdown may run before the process exits anyway. */
export const SHUTDOWN_HARD_LIMIT_EXTRA_MS = 5_000;

/**
 * SIGTERM / SIGINT: runs `stop(graceMs)` once, then exits 0. If stopping hangs (say, Redis never
 * comes back), the process exits 1 at graceMs + 5 s: the documented deadline for every process.
 */
export function onShutdownSignal(opts: { logger: Logger; graceMs: number; stop(graceMs: number): Promise<void> }): void {
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const { logger, graceMs } = opts;
    logger.info({ signal, grace_ms: graceMs }, `${signal}: stopping (running work gets ${graceMs} ms, then it is handed back)`);
    const deadline = setTimeout(() => {
      logger.error({ signal }, `Did not stop within ${graceMs + SHUTDOWN_HARD_LIMIT_EXTRA_MS} ms; exiting`);
      process.exit(1);
    }, graceMs + SHUTDOWN_HARD_LIMIT_EXTRA_MS);
    deadline.unref();
    opts.stop(graceMs).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'Stopping failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
