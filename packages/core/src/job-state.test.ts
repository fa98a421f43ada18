import { describe, expect, it } from 'vitest';
import { deriveJobProgress, deriveJobState, type FileStatus } from './job-state.js';

const files = (...statuses: FileStatus[]) => statuses.map((status) => ({ status }));

describe('the job status rule', () => {
  it.each([
    [['pending', 'completed'], 'processing'],
    [['processing', 'cancelled'], 'processing'],
    [['completed', 'completed'], 'completed'],
    [['cancelled', 'cancelled'], 'cancelled'],
    [['failed', 'failed'], 'failed'],
    [['failed', 'cancelled'], 'failed'],
    [['completed', 'failed'], 'partial'],
    [['completed', 'cancelled'], 'partial'],
    [['completed', 'failed', 'cancelled'], 'partial'],
  ] as [FileStatus[], string][])('%j → %s', (statuses, expected) => {
    expect(deriveJobState(files(...statuses))).toBe(expected);
  });

  it('counts completed, failed and cancelled files as 100; a cancelled file keeps its own progress otherwise', () => {
    expect(deriveJobProgress([{ status: 'cancelled', progress: 30 }, { status: 'processing', progress: 40 }])).toBe(70);
    expect(deriveJobProgress([{ status: 'failed', progress: 5 }, { status: 'pending', progress: 0 }, { status: 'completed', progress: 100 }])).toBe(66.67);
  });
});
