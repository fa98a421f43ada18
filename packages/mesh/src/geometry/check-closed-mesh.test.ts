import { describe, expect, it } from 'vitest';

import { findClosedMeshProblem } from './check-closed-mesh.js';

// A tetrahedron with outward (counter-clockwise) faces.
const positions = Float64Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
const tetrahedron = Uint32Array.from([0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3]);

describe('findClosedMeshProblem', () => {
  it('accepts a closed, outward-facing tetrahedron', () => {
    expect(findClosedMeshProblem(tetrahedron, positions)).toBeNull();
  });

  it('finds a hole', () => {
    expect(findClosedMeshProblem(tetrahedron.subarray(0, 9), positions)).toMatch(/no opposite|open/);
  });

  it('finds a flipped triangle', () => {
    const flipped = tetrahedron.slice();
    flipped.set([0, 1, 2], 0);
    expect(findClosedMeshProblem(flipped, positions)).toMatch(/repeated or has no opposite/);
  });

  it('finds an inside-out mesh', () => {
    expect(findClosedMeshProblem(tetrahedron.slice().reverse(), positions)).toMatch(/volume .* not positive/);
  });

  it('finds a repeated corner', () => {
    expect(findClosedMeshProblem(Uint32Array.from([0, 0, 1]), positions)).toMatch(/repeats a vertex/);
  });

  it('finds two closed pieces pinched together at one vertex', () => {
    // The same tetrahedron moved up by 1, so its corner (0, 0, 1) is the first one's apex, vertex 3.
    const twoPositions = Float64Array.from([...positions, 1, 0, 1, 0, 1, 1, 0, 0, 2]);
    const moved = tetrahedron.map((index) => [3, 4, 5, 6][index]!);
    expect(findClosedMeshProblem(moved, twoPositions)).toBeNull();
    expect(findClosedMeshProblem(Uint32Array.from([...tetrahedron, ...moved]), twoPositions)).toMatch(/vertex 3 joins separate fans/);
  });
});
