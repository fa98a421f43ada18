import { describe, expect, it } from 'vitest';
import { describeExpiry } from './expiry.js';

const now = new Date('2026-12-06T18:00:00Z');
const utc = { now, locale: 'en-GB', timeZone: 'UTC' };

describe('describeExpiry', () => {
  it('says the date and time retention deletes the batch, and how long that is from now', () => {
    expect(describeExpiry('2026-12-13T17:59:58.000Z', utc)).toBe('Kept until 13 Dec, 17:59 (in 7 days): download the models you want to keep before then.');
    expect(describeExpiry('2026-12-07T00:00:00.000Z', utc)).toBe('Kept until 7 Dec, 00:00 (in 6 hours): download the models you want to keep before then.');
    expect(describeExpiry('2026-12-06T18:20:00.000Z', utc)).toBe('Kept until 6 Dec, 18:20 (in 20 minutes): download the models you want to keep before then.');
  });

  it('names the year when it is not this one, and uses the reader’s time zone', () => {
    expect(describeExpiry('2027-01-02T09:30:00.000Z', utc)).toMatch(/^Kept until 2 Jan 2027, 09:30 \(in 27 days\)/);
    expect(describeExpiry('2026-12-13T17:00:00.000Z', { ...utc, timeZone: 'Asia/Tokyo' })).toMatch(/^Kept until 14 Dec, 02:00 /);
  });

  it('says when there is no expiry, and when it has passed', () => {
    expect(describeExpiry(null, utc)).toBe('This server keeps finished batches with no expiry date.');
    expect(describeExpiry('2026-12-06T17:00:00.000Z', utc)).toBe('Kept until 6 Dec, 17:00: the server may delete it at any moment.');
  });
});
