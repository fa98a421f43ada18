import { describe, expect, it } from 'vitest';

import { createProgressTracker } from './progress-tracker.js';

describe('createProgressTracker', () => {
  it('reports whole numbers that never go back, ending at 100', () => {
    const reported: [number, string][] = [];
    const tracker = createProgressTracker((progress, stage) => reported.push([progress, stage]));
    tracker.start('a', 0);
    tracker.start('b', 40.6);
    tracker.start('c', 20);
    tracker.finish();
    expect(reported).toEqual([[0, 'a'], [41, 'b'], [41, 'c'], [100, 'done']]);
    expect(Object.keys(tracker.timings)).toEqual(['a', 'b', 'c']);
  });
});
