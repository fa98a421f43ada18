const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The largest unit that still reads as a count: days from 2 days, hours from 2 hours, else minutes. */
function count(ms: number): { value: number; unit: 'day' | 'hour' | 'minute' } {
  if (ms >= 2 * DAY) return { value: Math.round(ms / DAY), unit: 'day' };
  if (ms >= 2 * HOUR) return { value: Math.round(ms / HOUR), unit: 'hour' };
  return { value: Math.max(1, Math.round(ms / MINUTE)), unit: 'minute' };
}

/** "in 7 days", "in 5 hours", "in 20 minutes": how far ahead a moment `ms` from now is. */
export function timeUntil(ms: number, locale?: string): string {
  const { value, unit } = count(ms);
  return new Intl.RelativeTimeFormat(locale, { numeric: 'always' }).format(value, unit);
}

/** "3 minutes ago", "5 hours ago", "just now" (under a minute): how long ago `iso` was. */
export function timeAgo(iso: string, opts: { now: Date; locale?: string }): string {
  const ms = opts.now.getTime() - new Date(iso).getTime();
  if (ms < MINUTE) return 'just now';
  const { value, unit } = count(ms);
  return new Intl.RelativeTimeFormat(opts.locale, { numeric: 'always' }).format(-value, unit);
}

/** The moment itself, for a tooltip beside a relative time: "6 Dec 2026, 18:00:05" in the reader's zone. */
export function exactTime(iso: string, opts: { locale?: string; timeZone?: string } = {}): string {
  return new Intl.DateTimeFormat(opts.locale, { dateStyle: 'medium', timeStyle: 'medium', ...(opts.timeZone ? { timeZone: opts.timeZone } : {}) }).format(new Date(iso));
}
