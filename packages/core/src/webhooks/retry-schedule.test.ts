import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE, parseRetrySchedule } from './retry-schedule.js';

describe('parseRetrySchedule', () => {
  it('reads the default, seven delays adding up to about 21 hours', () => {
    const { delaysMs } = parseRetrySchedule();
    expect(delaysMs).toEqual([10_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 43_200_000]);
    expect(parseRetrySchedule(DEFAULT_WEBHOOK_RETRY_SCHEDULE).delaysMs).toEqual(delaysMs);
  });

  it('accepts fractions and spaces, so tests can shrink it', () => {
    expect(parseRetrySchedule(' 0.2, 0.5 ').delaysMs).toEqual([200, 500]);
  });

  it.each(['', '10,,60', '10,-5', '0', 'ten', '1e3', '10;60', 'Infinity'])('refuses %j, naming what is wrong', (text) => {
    expect(() => parseRetrySchedule(text)).toThrow(/WEBHOOK_RETRY_SCHEDULE must be positive numbers of seconds/);
  });
});

describe('nextDelayMs', () => {
  const schedule = parseRetrySchedule('10,60');

  it('waits the n-th delay after the n-th failed attempt, then gives up after the last', () => {
    expect(schedule.nextDelayMs(1, () => 0.5)).toBe(10_000);
    expect(schedule.nextDelayMs(2, () => 0.5)).toBe(60_000);
    expect(schedule.nextDelayMs(3, () => 0.5)).toBe('exhausted');
  });

  it('jitters each delay by at most 10 % either way', () => {
    expect(schedule.nextDelayMs(1, () => 0)).toBe(9_000);
    expect(schedule.nextDelayMs(1, () => 0.999_999)).toBe(11_000);
    const delays = Array.from({ length: 200 }, () => schedule.nextDelayMs(2) as number);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(54_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(66_000);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });
});
