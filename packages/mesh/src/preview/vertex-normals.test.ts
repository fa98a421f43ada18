import { describe, expect, it } from 'vitest';

import { createUvSphere } from './fixture-meshes.js';
import { computeVertexNormals } from './vertex-normals.js';

describe('computeVertexNormals', () => {
  it('gives a counter-clockwise square in the xy plane normals along +z', () => {
    const positions = new Float32Array([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]);
    const normals = computeVertexNormals(positions, new Uint32Array([0, 1, 2, 0, 2, 3]));
    expect(Array.from(normals)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
  });

  it('weights each face by its area', () => {
    // Vertex 0 is shared by a big face facing +z (area 2) and a small one facing -x (area 0.5).
    const positions = new Float32Array([0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0]);
    const normals = computeVertexNormals(positions, new Uint32Array([0, 1, 2, 0, 3, 4]));
    const expected = [-0.5, 0, 2].map((c) => c / Math.hypot(0.5, 2));
    expected.forEach((c, i) => expect(normals[i]).toBeCloseTo(c, 6));
  });

  it('points a sphere’s normals outwards, along the radius', () => {
    const sphere = createUvSphere({ radius: 0.5, columns: 24, rows: 12 });
    const normals = computeVertexNormals(sphere.positions, sphere.indices);
    // Skip the pole rows: their vertices are duplicated per column and each sees only one face.
    for (let v = 25; v < sphere.positions.length / 3 - 25; v++) {
      const dot = [0, 1, 2].reduce((sum, c) => sum + normals[v * 3 + c]! * sphere.positions[v * 3 + c]! * 2, 0);
      expect(dot).toBeGreaterThan(0.98);
    }
  });

  it('leaves vertices that no triangle uses at zero', () => {
    const normals = computeVertexNormals(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 5, 5, 5]), new Uint32Array([0, 1, 2]));
    expect(Array.from(normals.subarray(9))).toEqual([0, 0, 0]);
  });
});
