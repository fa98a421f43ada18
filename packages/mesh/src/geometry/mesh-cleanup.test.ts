import { describe, expect, it } from 'vitest';

import { dropSmallShells } from './drop-small-shells.js';
import { removeFins } from './remove-fins.js';
import { simplifierReady } from './simplify-mesh.js';

const tetrahedron = [0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3];

describe('removeFins', () => {
  it('drops pairs of triangles over the same three vertices and keeps the rest in order', () => {
    const withFin = Uint32Array.from([...tetrahedron.slice(0, 6), 4, 5, 6, ...tetrahedron.slice(6), 4, 6, 5]);
    expect(Array.from(removeFins(withFin))).toEqual(tetrahedron);
  });

  it('returns the same array when there are none', () => {
    const indices = Uint32Array.from(tetrahedron);
    expect(removeFins(indices)).toBe(indices);
  });
});

describe('dropSmallShells', () => {
  it('drops shells far smaller than the largest and compacts the vertices', async () => {
    await simplifierReady;
    // A closed 300-triangle double fan (vertices 0…151) and a 4-triangle tetrahedron (152…155): 1.3 %.
    const fan: number[] = [];
    for (let i = 0; i < 150; i++) fan.push(0, 2 + i, 2 + ((i + 1) % 150), 1, 2 + ((i + 1) % 150), 2 + i);
    const indices = Uint32Array.from([...fan, ...tetrahedron.map((v) => v + 152)]);
    const positions = Float64Array.from({ length: 156 * 3 }, (_, i) => i);
    const cleaned = dropSmallShells({ positions, indices });
    expect(cleaned.indices.length / 3).toBe(300);
    expect(cleaned.positions.length / 3).toBe(152);
    // A shell a tenth of the largest stays.
    const tenth = fan.slice(0, 90).map((v) => v + 156);
    const positionsTwice = Float64Array.from({ length: 312 * 3 }, (_, i) => i);
    expect(dropSmallShells({ positions: positionsTwice, indices: Uint32Array.from([...fan, ...tenth]) }).indices.length / 3).toBe(330);
  });
});
