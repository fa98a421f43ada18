import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built package: the report runs on its converter pool's worker threads.
import { createConverterPool, readModel, reportModel, type ConverterPool } from '@image2model/formats';

import { dracoMultiNodeModel, localModels } from '../test-support/fixtures.js';
import { sphereGlb } from '../test-support/synthetic-glb.js';

let mug: Uint8Array;
let star: Uint8Array;
let draco: Uint8Array;
let pool: ConverterPool;

beforeAll(async () => {
  ({ mug, star } = await localModels());
  draco = await dracoMultiNodeModel();
  pool = createConverterPool({ size: 1 });
}, 120_000);
afterAll(() => pool.close());

describe('the print report of real models', () => {
  it("finds the local generator's mug and star closed, manifold, one shell, free of self-intersections, and printable (mug: genus 1)", async () => {
    const [mugReport, starReport] = await Promise.all([pool.report(mug), pool.report(star)]);
    expect(mugReport).toMatchObject({ watertight: true, boundary_edges: 0, manifold: true, non_manifold_edges: 0, shells: 1, genus: 1, self_intersections: 0, verdict: 'printable', verdict_reasons: [] });
    expect(starReport).toMatchObject({ watertight: true, manifold: true, shells: 1, genus: 0, self_intersections: 0, verdict: 'printable' });
    for (const report of [mugReport, starReport]) {
      expect(report.volume_mm3).toBeGreaterThan(0);
      // The default size: the longest side capped at 100 mm, as the STL.
      expect(Math.max(report.bbox_mm.x, report.bbox_mm.y, report.bbox_mm.z)).toBeCloseTo(100, 2);
    }
  });

  it('reads a FAL-style Draco GLB with two nodes under a turned, doubled root: the same solid as the plain mug, turned', async () => {
    const plain = await reportModel(mug, { heightMm: 50 });
    const fal = await pool.report(draco, { heightMm: 50 });
    expect((await readModel(draco)).indices.length).toBe((await readModel(mug)).indices.length);
    // The root turns a quarter about the vertical: the print's X and Y swap, its height is what was asked.
    expect(fal.bbox_mm.z).toBeCloseTo(50, 2);
    expect(fal.bbox_mm.x).toBeCloseTo(plain.bbox_mm.y, 1);
    expect(fal.bbox_mm.y).toBeCloseTo(plain.bbox_mm.x, 1);
    expect(fal).toMatchObject({ watertight: true, manifold: true, shells: 1, genus: 1, self_intersections: 0, triangles: plain.triangles, verdict: 'printable' });
    expect(fal.volume_mm3! / plain.volume_mm3!).toBeCloseTo(1, 3);
  });

  it('reports on a 200,000-triangle model in a bounded time', async () => {
    const started = performance.now();
    const report = await pool.report(await sphereGlb(200_000));
    expect(report).toMatchObject({ watertight: true, manifold: true, shells: 1, genus: 0, self_intersections: 0 });
    expect(report.triangles).toBeGreaterThan(190_000);
    expect(performance.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
