/** Delays between attempts at a write that repairs state after a failure: about 6 s in all. */
const REPAIR_RETRY_DELAYS_MS: readonly number[] = [200, 400, 800, 1600, 3200];

/**
 * Runs `work`, and again after each delay while it throws; rethrows its last error. For writes
 * that undo or record a failure whose cause (the store down, a dropped connection) may well hit
 * them too, but usually passes within seconds.
 */
export async function retryWrite<T>(work: () => Promise<T>, opts: { delaysMs?: readonly number[]; onRetry?: (error: unknown) => void } = {}): Promise<T> {
  const delays = opts.delaysMs ?? REPAIR_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      const delay = delays[attempt];
      if (delay === undefined) throw error;
      opts.onRetry?.(error);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
