import { describe, expect, it } from 'vitest';

import { computePuffballHeight } from '../field/puffball-height.js';
import { computeSignedDistance } from '../field/signed-distance.js';
import { findMaskBounds } from '../mask/mask-bounds.js';
import { analyseTopology, genus } from '../test-support/mesh-topology.js';
import { findClosedMeshProblem } from './check-closed-mesh.js';
import { marchClosedSurface } from './march-closed-surface.js';
import { planGrid } from './plan-grid.js';

const SIZE = 120;

function march(inside: (x: number, y: number) => boolean, triangles: number): { positions: Float64Array; indices: Uint32Array } {
  const mask = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) mask[y * SIZE + x] = inside(x + 0.5, y + 0.5) ? 1 : 0;
  const bounds = findMaskBounds(mask, SIZE, SIZE);
  const field = computeSignedDistance(mask, { width: SIZE, height: SIZE }, { bounds, margin: 8 });
  return marchClosedSurface(field, computePuffballHeight(field), planGrid(bounds, SIZE, triangles));
}

function topologyOf(mesh: { positions: Float64Array; indices: Uint32Array }): ReturnType<typeof analyseTopology> {
  return analyseTopology(Float32Array.from(mesh.positions), mesh.indices);
}

const yUp = (positions: Float64Array): Float64Array => positions.map((value, i) => (i % 3 === 1 ? -value : value));

describe('marchClosedSurface', () => {
  it.each([500, 5_000])('closes a disk into one sphere-like surface (%i triangles asked)', (triangles) => {
    const mesh = march((x, y) => Math.hypot(x - 60, y - 60) < 40, triangles);
    const topology = topologyOf(mesh);
    expect(topology).toMatchObject({ borderEdges: 0, nonManifoldEdges: 0, misorientedEdges: 0, components: 1 });
    expect(genus(topology)).toBe(0);
    expect(findClosedMeshProblem(mesh.indices, yUp(mesh.positions))).toBeNull();
  });

  it('gives a ring genus 1 and two disks two surfaces', () => {
    const ring = topologyOf(march((x, y) => Math.abs(Math.hypot(x - 60, y - 60) - 35) < 12, 3_000));
    expect(genus(ring)).toBe(1);
    const pair = topologyOf(march((x, y) => Math.hypot(x - 30, y - 60) < 20 || Math.hypot(x - 90, y - 60) < 20, 3_000));
    expect(pair).toMatchObject({ components: 2, borderEdges: 0 });
  });

  it('gives every vertex its own position, with the rim at z = 0 on the silhouette', () => {
    const mesh = march((x, y) => Math.hypot(x - 60, y - 60) < 40, 2_000);
    const keys = new Set<string>();
    for (let v = 0; v < mesh.positions.length / 3; v++) {
      const [x, y, z] = [mesh.positions[v * 3]!, mesh.positions[v * 3 + 1]!, mesh.positions[v * 3 + 2]!];
      keys.add(`${x},${y},${z}`);
      if (z === 0) expect(Math.abs(Math.hypot(x - 60, y - 60) - 40)).toBeLessThan(1.5);
    }
    expect(keys.size).toBe(mesh.positions.length / 3);
  });
});
