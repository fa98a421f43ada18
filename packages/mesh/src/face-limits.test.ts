import { beforeAll, describe, expect, it } from 'vitest';

import { generateModel } from './generate-model.js';
import { MIN_FACE_LIMIT_FOR_TOPOLOGY } from './limits.js';
import { analyseTopology, genus, signedVolume } from './test-support/mesh-topology.js';
import { readGlbMesh } from './test-support/read-glb-mesh.js';
import { mugWithShadow, starOnWhite } from '@image2model/testing/synthetic-photos';
import { validateGlb } from './test-support/validate-glb.js';

let mug: Buffer;
let star: Buffer;
beforeAll(async () => {
  mug = await mugWithShadow(512);
  star = await starOnWhite(384);
});

describe('the face limit', () => {
  it.each([4, 5, 50, 1_000, 10_000, 100_000])('is never exceeded, and the model stays closed and valid, at %i', async (faceLimit) => {
    const { glb, stats } = await generateModel(mug, { face_limit: faceLimit, preview: false });
    const mesh = await readGlbMesh(glb);
    const topology = analyseTopology(mesh.positions, mesh.indices);
    expect(mesh.indices.length / 3).toBeLessThanOrEqual(faceLimit);
    expect(stats.triangles).toBeLessThanOrEqual(faceLimit);
    expect(topology).toMatchObject({ borderEdges: 0, nonManifoldEdges: 0, misorientedEdges: 0 });
    expect(signedVolume(mesh.positions, mesh.indices)).toBeGreaterThan(0);
    expect((await validateGlb(glb)).problems).toEqual([]);
  });

  it('uses most of a generous budget rather than stopping early', async () => {
    const { stats } = await generateModel(mug, { face_limit: 10_000, preview: false });
    expect(stats.triangles).toBeGreaterThan(9_000);
  });

  it('simplifies a shape without holes all the way down to a tetrahedron, without a warning', async () => {
    const { glb, warnings } = await generateModel(star, { face_limit: 4, preview: false });
    const mesh = await readGlbMesh(glb);
    expect(mesh.indices.length / 3).toBe(4);
    expect(analyseTopology(mesh.positions, mesh.indices)).toMatchObject({ vertices: 4, borderEdges: 0 });
    expect(warnings).toEqual([]);
  });
});

describe(`the mug's handle from face_limit ${MIN_FACE_LIMIT_FOR_TOPOLOGY} up`, () => {
  it.each([MIN_FACE_LIMIT_FOR_TOPOLOGY, MIN_FACE_LIMIT_FOR_TOPOLOGY + 1, 450, 700, 1_200, 2_500, 5_000, 20_000])(
    'stays a hole (one closed surface of genus 1) at %i',
    async (faceLimit) => {
      const { glb } = await generateModel(mug, { face_limit: faceLimit, preview: false });
      const mesh = await readGlbMesh(glb);
      const topology = analyseTopology(mesh.positions, mesh.indices);
      expect(topology).toMatchObject({ components: 1, borderEdges: 0, nonManifoldEdges: 0 });
      expect(genus(topology)).toBe(1);
    },
  );

  it('stays a hole with Poisson inflation too', async () => {
    const { glb } = await generateModel(mug, { face_limit: MIN_FACE_LIMIT_FOR_TOPOLOGY, method: 'poisson', preview: false });
    const mesh = await readGlbMesh(glb);
    expect(genus(analyseTopology(mesh.positions, mesh.indices))).toBe(1);
  });
});
