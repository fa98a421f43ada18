import { describe, expect, it } from 'vitest';
import { modelNotices } from './model-notices.js';

const mirrored = { code: 'SYMMETRY_ASSUMED', message: 'No photo of every side: made the back a mirror of the front' };

describe('model notices', () => {
  it('say what a warning means for the model, a multiview model’s mirrored side in its own words', () => {
    expect(modelNotices({ status: 'completed', warnings: [mirrored], views: null })).toEqual([{ ...mirrored, label: 'Round — back mirrors the front', tone: 'info' }]);
    expect(modelNotices({ status: 'completed', warnings: [mirrored], views: { front: 'f.jpg', left: 'l.jpg' } })).toEqual([{ ...mirrored, label: 'Mirrored — a side not photographed', tone: 'info' }]);
    const disagree = { code: 'VIEWS_DISAGREE', message: 'The views do not agree' };
    expect(modelNotices({ status: 'completed', warnings: [disagree], views: { front: 'f.jpg', left: 'l.jpg' } })).toEqual([{ ...disagree, label: 'Views disagree — check the photos', tone: 'warn' }]);
    expect(modelNotices({ status: 'completed', warnings: [{ code: 'SOMETHING_NEW', message: 'm' }], views: null })[0]).toMatchObject({ label: 'With a warning', tone: 'warn' });
    expect(modelNotices({ status: 'processing', warnings: [mirrored], views: null })).toEqual([]);
  });
});
