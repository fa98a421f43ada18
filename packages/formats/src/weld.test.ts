import { describe, expect, it } from 'vitest';

import { weldByPosition } from './weld.js';

describe('weldByPosition', () => {
  it('merges copies within the tolerance, even across a grid line, and drops collapsed triangles', () => {
    // Two triangles sharing an edge through copies: one pair 0.7 tolerance apart on either side of a cell boundary.
    const tolerance = 1e-3;
    const positions = new Float32Array([0, 0, 0, 0.9996, 0, 0, 0, 1, 0, /* copies */ 1.0003, 0, 0, 0, 1.0004, 0, 1, 1, 0, /* collapsed */ 0.0002, 0, 0]);
    const indices = new Uint32Array([0, 1, 2, 3, 5, 4, 0, 6, 1]);
    const welded = weldByPosition({ positions, indices }, tolerance);
    expect(welded.positions.length / 3).toBe(4);
    expect(Array.from(welded.indices)).toEqual([0, 1, 2, 1, 3, 2]);
  });

  it('keeps vertices farther apart than the tolerance', () => {
    const positions = new Float32Array([0, 0, 0, 0.0021, 0, 0, 0, 1, 0]);
    expect(weldByPosition({ positions, indices: new Uint32Array([0, 1, 2]) }, 1e-3).positions.length).toBe(9);
  });

  it('refuses a tolerance that is not positive', () => {
    expect(() => weldByPosition({ positions: new Float32Array(), indices: new Uint32Array() }, 0)).toThrow(RangeError);
  });
});
