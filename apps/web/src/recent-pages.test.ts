import { describe, expect, it } from 'vitest';
import type { JobListItem } from '@image2model/client';
import { takeNewest, takeNext } from './recent-pages.js';

const job = (job_id: string, status: JobListItem['status'] = 'completed'): JobListItem => ({
  job_id,
  status,
  created_at: '2026-12-06T17:57:00.000Z',
  updated_at: '2026-12-06T17:58:00.000Z',
  expires_at: null,
  total_files: 1,
  processed_files: 1,
  failed_files: 0,
  cancelled_files: 0,
  progress: 100,
});
const ids = (list: { jobs: readonly JobListItem[] }) => list.jobs.map((item) => item.job_id);

describe('the recent list’s pages', () => {
  it('appends the next page, once each', () => {
    const next = takeNext({ jobs: [job('d'), job('c')], cursor: 'after-c' }, { jobs: [job('c'), job('b')], next_cursor: 'after-b' });
    expect(ids(next)).toEqual(['d', 'c', 'b']);
    expect(next.cursor).toBe('after-b');
  });

  it('refreshes the newest batches and keeps the older ones already loaded, with their cursor', () => {
    const shown = { jobs: [job('c', 'processing'), job('b'), job('a')], cursor: 'after-a' };
    const refreshed = takeNewest(shown, { jobs: [job('d', 'processing'), job('c'), job('b')], next_cursor: 'after-b' });
    expect(ids(refreshed)).toEqual(['d', 'c', 'b', 'a']);
    expect(refreshed.jobs[1]?.status).toBe('completed');
    expect(refreshed.cursor).toBe('after-a');
  });

  it('takes the fresh page as it is when it is the last, or when nothing shown follows it', () => {
    const shown = { jobs: [job('c'), job('b'), job('a')], cursor: null };
    expect(takeNewest(shown, { jobs: [job('c'), job('a')], next_cursor: null })).toEqual({ jobs: [job('c'), job('a')], cursor: null });
    expect(takeNewest({ jobs: [], cursor: null }, { jobs: [job('b')], next_cursor: 'after-b' })).toEqual({ jobs: [job('b')], cursor: 'after-b' });
  });
});
