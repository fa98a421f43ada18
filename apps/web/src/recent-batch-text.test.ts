import { describe, expect, it } from 'vitest';
import type { JobListItem } from '@image2model/client';
import { expiryText, progressText, sizeText, statusText } from './recent-batch-text.js';
import { exactTime, timeAgo } from './relative-time.js';

const now = new Date('2026-12-06T18:00:00Z');
const job = (over: Partial<JobListItem>): JobListItem => ({
  job_id: 'batch_1',
  status: 'completed',
  created_at: '2026-12-06T17:57:00.000Z',
  updated_at: '2026-12-06T17:58:00.000Z',
  expires_at: '2026-12-12T17:58:00.000Z',
  total_files: 3,
  processed_files: 3,
  failed_files: 0,
  cancelled_files: 0,
  progress: 100,
  ...over,
});

describe('a recent batch in words', () => {
  it('says the status, the files done of all, and the failed and cancelled ones', () => {
    expect(statusText('processing')).toBe('Running');
    expect(statusText('partial')).toBe('Partly done');
    expect(progressText(job({}))).toBe('100%: 3 of 3 ready');
    expect(progressText(job({ status: 'processing', progress: 33.33, processed_files: 1 }))).toBe('33%: 1 of 3 ready');
    expect(progressText(job({ status: 'partial', processed_files: 1, failed_files: 1, cancelled_files: 1 }))).toBe('100%: 1 of 3 ready, 1 failed, 1 cancelled');
    expect(sizeText(job({ total_files: 1 }))).toBe('1 file');
  });

  it('says when a finished batch expires, that it is kept when retention is off, and nothing while it runs', () => {
    expect(expiryText(job({}), { now, locale: 'en' })).toBe('expires in 6 days');
    expect(expiryText(job({ expires_at: '2026-12-06T23:00:00.000Z' }), { now, locale: 'en' })).toBe('expires in 5 hours');
    expect(expiryText(job({ expires_at: null }), { now, locale: 'en' })).toBe('kept until deleted');
    expect(expiryText(job({ expires_at: '2026-12-06T17:00:00.000Z' }), { now, locale: 'en' })).toBe('due for deletion');
    expect(expiryText(job({ status: 'processing', expires_at: null }), { now, locale: 'en' })).toBe('');
  });
});

describe('relative times', () => {
  it('says how long ago, in the largest unit that reads as a count', () => {
    expect(timeAgo('2026-12-06T17:59:30.000Z', { now, locale: 'en' })).toBe('just now');
    expect(timeAgo('2026-12-06T17:57:00.000Z', { now, locale: 'en' })).toBe('3 minutes ago');
    expect(timeAgo('2026-12-06T17:59:00.000Z', { now, locale: 'en' })).toBe('1 minute ago');
    expect(timeAgo('2026-12-06T13:00:00.000Z', { now, locale: 'en' })).toBe('5 hours ago');
    expect(timeAgo('2026-12-01T18:00:00.000Z', { now, locale: 'en' })).toBe('5 days ago');
  });

  it('gives the exact moment in the reader’s time zone', () => {
    expect(exactTime('2026-12-06T17:57:05.000Z', { locale: 'en-GB', timeZone: 'UTC' })).toBe('6 Dec 2026, 17:57:05');
    expect(exactTime('2026-12-06T17:57:05.000Z', { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toBe('7 Dec 2026, 02:57:05');
  });
});
