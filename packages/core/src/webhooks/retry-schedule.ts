/** The delays, in seconds, before each retry: 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, 12 h (about 21 h in all). */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = '10,60,300,1800,7200,21600,43200';

/** How far each delay may stray either way, so receivers coming back up are not hit by every retry at once. */
const JITTER = 0.1;

export interface RetrySchedule {
  /** The delays before each retry, in milliseconds. */
  readonly delaysMs: readonly number[];
  /**
   * What follows a failed attempt (`attempts` counts it): the delay before the next one, with
   * ±10 % jitter, or 'exhausted' once the attempt after the last delay has failed.
   */
  nextDelayMs(attempts: number, random?: () => number): number | 'exhausted';
}

/**
 * Parses `WEBHOOK_RETRY_SCHEDULE`: delays in seconds, comma-separated, fractions allowed (tests
 * shrink the schedule to "0.2,0.5"). Throws a message naming the bad entry.
 * @example parseRetrySchedule('10,60,300').nextDelayMs(1) // 9000…11000
 */
export function parseRetrySchedule(text: string = DEFAULT_WEBHOOK_RETRY_SCHEDULE): RetrySchedule {
  const entries = text.split(',').map((entry) => entry.trim());
  const delaysMs = entries.map((entry) => {
    const seconds = /^\d+(\.\d+)?$/.test(entry) ? Number(entry) : Number.NaN;
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new Error(`WEBHOOK_RETRY_SCHEDULE must be positive numbers of seconds separated by commas (e.g. "${DEFAULT_WEBHOOK_RETRY_SCHEDULE}"); "${entry}" is not one`);
    }
    return Math.round(seconds * 1000);
  });
  return {
    delaysMs,
    nextDelayMs(attempts, random = Math.random) {
      const delay = delaysMs[attempts - 1];
      if (delay === undefined) return 'exhausted';
      return Math.round(delay * (1 + JITTER * (2 * random() - 1)));
    },
  };
}
