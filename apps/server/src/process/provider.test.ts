import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultConcurrency } from './provider.js';

describe('defaultConcurrency', () => {
  it('gives FAL, whose slots mostly wait, more slots than the local generator has threads', () => {
    expect(defaultConcurrency({ name: 'fal' })).toBe(8);
  });

  it('gives the local generator one slot per pool thread plus one, at least two', () => {
    expect(defaultConcurrency({ name: 'local' })).toBe(Math.max(2, availableParallelism()));
  });
});
