import { randomUUID } from 'node:crypto';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { afterEach, describe, expect, it } from 'vitest';
import type { RateLimiters, RateLimitWindows } from './rate-limit.js';

export interface RateLimitersHarness {
  /** A limiter pair, as one more process of the same deployment would build it. */
  create(windows: RateLimitWindows): RateLimiters;
  /** Whether two `create()` results draw from one budget (Redis) or each has its own (memory). */
  shared: boolean;
  cleanup(): Promise<void>;
}

async function outcome(limiters: RateLimiters, window: keyof RateLimiters, key: string) {
  try {
    const res = await limiters[window].consume(key);
    return { ok: true, remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext };
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    return { ok: false, remaining: error.remainingPoints, msBeforeNext: error.msBeforeNext };
  }
}

/** The behaviour every RateLimiters adapter must have; run it against each one. */
export function describeRateLimitersContract(name: string, factory: () => Promise<RateLimitersHarness>): void {
  describe(`RateLimiters contract: ${name}`, () => {
    const harnesses: RateLimitersHarness[] = [];
    async function make() {
      const harness = await factory();
      harnesses.push(harness);
      return harness;
    }
    afterEach(async () => {
      await Promise.all(harnesses.splice(0).map((h) => h.cleanup()));
    });
    const key = () => `key:${randomUUID()}`;

    it('counts down the remaining points and blocks past the limit until the window resets', async () => {
      const limiters = (await make()).create({ perMinute: 3, perHour: 100 });
      const k = key();
      const seen = [];
      for (let i = 0; i < 4; i++) seen.push(await outcome(limiters, 'minute', k));
      expect(seen.map((s) => [s.ok, s.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
      ]);
      expect(seen[3]?.msBeforeNext).toBeGreaterThan(0);
      expect(seen[3]?.msBeforeNext).toBeLessThanOrEqual(60_000);
      expect(limiters.minute.points).toBe(3);
    });

    it('keeps each key apart, and the hour window apart from the minute window', async () => {
      const limiters = (await make()).create({ perMinute: 2, perHour: 5 });
      const [a, b] = [key(), key()];
      await outcome(limiters, 'minute', a);
      await outcome(limiters, 'minute', a);
      expect((await outcome(limiters, 'minute', a)).ok).toBe(false);
      expect((await outcome(limiters, 'minute', b)).ok).toBe(true);
      expect(await outcome(limiters, 'hour', a)).toMatchObject({ ok: true, remaining: 4 });
      expect(limiters.hour.points).toBe(5);
      const hour = await outcome(limiters, 'hour', b);
      expect(hour.msBeforeNext).toBeGreaterThan(60_000);
      expect(hour.msBeforeNext).toBeLessThanOrEqual(3_600_000);
    });

    it('draws one budget across processes when the store is shared, else one each', async () => {
      const harness = await make();
      const processes = [0, 1, 2].map(() => harness.create({ perMinute: 6, perHour: 100 }));
      const k = key();
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => outcome(processes[i % 3] as RateLimiters, 'minute', k)));
      expect(results.filter((r) => r.ok)).toHaveLength(harness.shared ? 6 : 12);
    });
  });
}
