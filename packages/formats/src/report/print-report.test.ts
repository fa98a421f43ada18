import { describe, expect, it } from 'vitest';

import { printReport } from '../index.js';
import { box, sphere, together, torus } from '../test-support/solids.js';

// Sizes in metres, as a GLB holds them: below the 100 mm default cap, so 1 m prints as 1000 mm.
describe('printReport', () => {
  it('measures a 20 mm cube exactly: closed, manifold, one shell, genus 0, printable', async () => {
    const report = await printReport(box([0, 0, 0], [0.02, 0.02, 0.02]));
    expect(report).toMatchObject({
      watertight: true,
      boundary_edges: 0,
      manifold: true,
      non_manifold_edges: 0,
      shells: 1,
      genus: 0,
      volume_mm3: 8000,
      surface_area_mm2: 2400,
      bbox_mm: { x: 20, y: 20, z: 20 },
      self_intersections: 0,
      triangles: 12,
      verdict: 'printable', verdict_reasons: [],
    });
  });

  it('scales to height_mm, and puts glTF\'s Y (up) on the print\'s Z', async () => {
    const report = await printReport(box([0, 0, 0], [0.01, 0.02, 0.04]), { heightMm: 40 });
    expect(report.bbox_mm).toEqual({ x: 20, y: 80, z: 40 });
    expect(report.volume_mm3).toBe(64_000);
  });

  it('gives a sphere its volume within 0.5 % of 4/3 π r³', async () => {
    const report = await printReport(sphere(0.02));
    expect(report).toMatchObject({ watertight: true, manifold: true, shells: 1, genus: 0, self_intersections: 0, verdict: 'printable' });
    expect(report.volume_mm3! / ((4 / 3) * Math.PI * 20 ** 3)).toBeCloseTo(1, 2);
    expect(report.surface_area_mm2 / (4 * Math.PI * 20 ** 2)).toBeCloseTo(1, 2);
  });

  it('finds genus 1 in a torus (a mug handle)', async () => {
    const report = await printReport(torus(0.03, 0.01));
    expect(report).toMatchObject({ watertight: true, manifold: true, shells: 1, genus: 1, self_intersections: 0, verdict: 'printable' });
    expect(report.volume_mm3! / (2 * Math.PI ** 2 * 30 * 10 ** 2)).toBeCloseTo(1, 1);
  });

  it('counts two overlapping cubes once in the volume, finds them crossing, and says to merge them', async () => {
    const report = await printReport(together(box([0, 0, 0], [0.02, 0.02, 0.02]), box([0.01, 0, 0.005], [0.03, 0.02, 0.025])));
    expect(report).toMatchObject({ watertight: true, manifold: true, shells: 2, genus: 0, bbox_mm: { x: 30, y: 25, z: 20 } });
    expect(report.self_intersections).toBeGreaterThan(0);
    // 8000 + 8000 − the 10 × 20 × 15 mm overlap.
    expect(report.volume_mm3).toBeCloseTo(13_000, 3);
    expect(report.verdict).toBe('repairable');
    expect(report.verdict_reasons.join(' ')).toMatch(/parts overlap.*volume counts the overlap once.*union/);
  });

  it('calls two separate cubes printable, noting the two shells', async () => {
    const report = await printReport(together(box([0, 0, 0], [0.01, 0.01, 0.01]), box([0.02, 0, 0], [0.03, 0.01, 0.01])));
    expect(report).toMatchObject({ shells: 2, genus: 0, volume_mm3: 2000, self_intersections: 0, verdict: 'printable' });
    expect(report.verdict_reasons[0]).toMatch(/2 separate shells/);
  });

  it('reports an open box without throwing: not watertight, no volume, and the verdict says why and what to do', async () => {
    const closed = box([0, 0, 0], [0.02, 0.02, 0.02]);
    const open = { positions: closed.positions, indices: closed.indices.slice(6) };
    const report = await printReport(open);
    expect(report).toMatchObject({ watertight: false, boundary_edges: 4, manifold: false, non_manifold_edges: 0, shells: 1, genus: null, volume_mm3: null, surface_area_mm2: 2000 });
    expect(report.verdict).toBe('repairable');
    expect(report.verdict_reasons[0]).toMatch(/not closed: 4 open edges.*Close the holes/);
  });

  it('counts edges three faces share, and faces wound against their neighbours, as non-manifold', async () => {
    const cube = box([0, 0, 0], [0.02, 0.02, 0.02]);
    const flipped = Uint32Array.from(cube.indices);
    [flipped[1], flipped[2]] = [flipped[2]!, flipped[1]!];
    const report = await printReport({ positions: cube.positions, indices: flipped });
    expect(report).toMatchObject({ watertight: true, manifold: false, non_manifold_edges: 3, volume_mm3: null, genus: null, verdict: 'repairable' });
    const fin = await printReport({ positions: new Float32Array([...cube.positions, 0.01, 0.03, 0.01]), indices: new Uint32Array([...cube.indices, 2, 3, 8]) });
    expect(fin).toMatchObject({ watertight: false, manifold: false, non_manifold_edges: 1, boundary_edges: 2, volume_mm3: null });
  });

  it('calls a flat sheet, and a model smaller than a nozzle, not printable, saying why', async () => {
    const cube = box([0, 0, 0], [0.02, 0.02, 0.02]);
    const sheet = await printReport({ positions: cube.positions, indices: cube.indices.subarray(0, 6) });
    expect(sheet.verdict).toBe('not_printable');
    expect(sheet.verdict_reasons[0]).toMatch(/flat/);
    const tiny = await printReport(box([0, 0, 0], [0.02, 0.02, 0.02]), { heightMm: 0.2 });
    expect(tiny).toMatchObject({ verdict: 'not_printable', verdict_reasons: [expect.stringMatching(/0\.2 mm, under a 0\.4 mm nozzle.*height_mm/)] });
  });
});
