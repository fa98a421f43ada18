import { timeUntil } from './relative-time.js';

/**
 * What a finished batch's `expires_at` means to its reader: when retention deletes it, e.g.
 * "Kept until 13 Dec, 18:00 (in 7 days): download the models you want to keep before then."
 * `locale` and `timeZone` default to the browser's.
 */
export function describeExpiry(expiresAt: string | null, opts: { now: Date; locale?: string; timeZone?: string }): string {
  if (expiresAt === null) return 'This server keeps finished batches with no expiry date.';
  const when = new Date(expiresAt);
  const format = new Intl.DateTimeFormat(opts.locale, {
    day: 'numeric',
    month: 'short',
    ...(when.getUTCFullYear() !== opts.now.getUTCFullYear() ? { year: 'numeric' } : {}),
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
  });
  const left = when.getTime() - opts.now.getTime();
  if (left <= 0) return `Kept until ${format.format(when)}: the server may delete it at any moment.`;
  return `Kept until ${format.format(when)} (${timeUntil(left, opts.locale)}): download the models you want to keep before then.`;
}
