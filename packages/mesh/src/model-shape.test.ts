import { beforeAll, describe, expect, it } from 'vitest';

import { generateModel, SYMMETRY_ASSUMED, type GenerateResult } from './generate-model.js';
import { analyseTopology, boundingBox, genus, signedVolume } from './test-support/mesh-topology.js';
import { readGlbMesh, type GlbMesh } from './test-support/read-glb-mesh.js';
import { glass, horse, lBracket, mug, person, star, vase } from './test-support/silhouettes.js';
import { validateGlb } from './test-support/validate-glb.js';
import { bottleWithAlpha, mugWithShadow, whiteLabelOnWhite } from '@image2model/testing/synthetic-photos';

const FACE_LIMIT = 10_000;

const revolved = { bottle: bottleWithAlpha, vase, glass, mug, 'mug photo': mugWithShadow };
const inflated = { star, horse, 'L bracket': lBracket, person, label: whiteLabelOnWhite };
type Name = keyof typeof revolved | keyof typeof inflated;

const generated = new Map<Name, { result: GenerateResult; mesh: GlbMesh }>();

beforeAll(async () => {
  for (const [name, draw] of Object.entries({ ...revolved, ...inflated }) as [Name, () => Promise<Buffer>][]) {
    const result = await generateModel(await draw(), { face_limit: FACE_LIMIT, preview: false });
    generated.set(name, { result, mesh: await readGlbMesh(result.glb) });
  }
});

function model(name: Name): { result: GenerateResult; mesh: GlbMesh } {
  const entry = generated.get(name);
  if (!entry) throw new Error(`${name} was not generated`);
  return entry;
}

/**
 * Where the plane y = height cuts the mesh's edges, as (x, z) points: the outline of its
 * horizontal cross-section.
 */
function crossSection(mesh: GlbMesh, height: number): [number, number][] {
  const { positions, indices } = mesh;
  const points: [number, number][] = [];
  for (let i = 0; i < indices.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const a = indices[i + k]! * 3;
      const b = indices[i + ((k + 1) % 3)]! * 3;
      const ya = positions[a + 1]! - height;
      const yb = positions[b + 1]! - height;
      if (ya < 0 === yb < 0) continue;
      const t = ya / (ya - yb);
      points.push([positions[a]! + t * (positions[b]! - positions[a]!), positions[a + 2]! + t * (positions[b + 2]! - positions[a + 2]!)]);
    }
  }
  return points;
}

/** Radii of the points about their bounding box's centre: the largest departure from the mean, as a share of it. */
function radiusSpread(points: [number, number][]): { mean: number; spread: number } {
  const xs = points.map(([x]) => x);
  const zs = points.map(([, z]) => z);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cz = (Math.min(...zs) + Math.max(...zs)) / 2;
  const radii = points.map(([x, z]) => Math.hypot(x - cx, z - cz));
  const mean = radii.reduce((sum, r) => sum + r, 0) / radii.length;
  return { mean, spread: Math.max(...radii.map((r) => Math.abs(r - mean))) / mean };
}

describe.each(Object.keys(revolved) as (keyof typeof revolved)[])('the %s, a smooth outline symmetric about a vertical axis', (name) => {
  it('is made a solid of revolution and says so', () => {
    const { result } = model(name);
    expect(result.stats.shape).toBe('revolved');
    expect(result.warnings).toEqual([SYMMETRY_ASSUMED]);
    expect(result.warnings[0]?.code).toBe('SYMMETRY_ASSUMED');
  });

  it('is closed, consistently wound, within the face limit and validator-clean', async () => {
    const { result, mesh } = model(name);
    expect(analyseTopology(mesh.positions, mesh.indices)).toMatchObject({ borderEdges: 0, nonManifoldEdges: 0, misorientedEdges: 0 });
    expect(signedVolume(mesh.positions, mesh.indices)).toBeGreaterThan(0);
    expect(mesh.indices.length / 3).toBeLessThanOrEqual(FACE_LIMIT);
    const validation = await validateGlb(result.glb);
    expect(validation.problems).toEqual([]);
    expect(validation.errors + validation.warnings).toBe(0);
  });
});

describe('a revolved body', () => {
  it.each(['bottle', 'vase', 'glass'] as const)('has near-circular cross-sections at several heights: the %s', (name) => {
    const { mesh } = model(name);
    const { min, max } = boundingBox(mesh.positions);
    for (const share of [0.25, 0.4, 0.55, 0.7, 0.85]) {
      const { mean, spread } = radiusSpread(crossSection(mesh, min[1]! + share * (max[1]! - min[1]!)));
      expect(mean).toBeGreaterThan(0.01);
      expect(spread).toBeLessThan(0.06);
    }
  });

  it('is as deep as it is wide: the bottle\'s depth is its widest diameter', () => {
    const { size } = boundingBox(model('bottle').mesh.positions);
    expect(Math.abs(size[2]! / size[0]! - 1)).toBeLessThan(0.03);
  });

  it.each(['mug', 'mug photo'] as const)('keeps the %s handle as a tube with its hole, joined to a round body', (name) => {
    const { mesh } = model(name);
    const topology = analyseTopology(mesh.positions, mesh.indices);
    expect(topology.components).toBe(1);
    expect(genus(topology)).toBe(1);
    // Halfway up, the body's cut (left of the handle) is a circle; the handle is a separate, thinner loop.
    const { min, max } = boundingBox(mesh.positions);
    const section = crossSection(mesh, (min[1]! + max[1]!) / 2);
    const bodyRight = min[0]! + (240 / 317) * (max[0]! - min[0]!);
    const body = section.filter(([x]) => x < bodyRight - 0.01);
    expect(radiusSpread(body).spread).toBeLessThan(0.08);
    const handle = section.filter(([x]) => x > bodyRight + 0.02);
    expect(handle.length).toBeGreaterThan(0);
    const handleDepth = Math.max(...handle.map(([, z]) => Math.abs(z)));
    expect(handleDepth).toBeLessThan(0.3 * radiusSpread(body).mean);
  });

  it('maps the photo onto the front and its mirror image onto the back: a back vertex reads where its front twin does', () => {
    const { positions, uvs } = model('bottle').mesh;
    const front = new Map<string, [number, number]>();
    for (let v = 0; v < positions.length / 3; v++) {
      if (positions[v * 3 + 2]! > 0) front.set(`${positions[v * 3]},${positions[v * 3 + 1]}`, [uvs[v * 2]!, uvs[v * 2 + 1]!]);
    }
    let twins = 0;
    for (let v = 0; v < positions.length / 3; v++) {
      if (positions[v * 3 + 2]! >= 0) continue;
      const twin = front.get(`${positions[v * 3]},${positions[v * 3 + 1]}`);
      if (!twin) continue;
      twins++;
      expect([uvs[v * 2], uvs[v * 2 + 1]]).toEqual(twin);
    }
    expect(twins).toBeGreaterThan(100);
  });
});

describe.each(Object.keys(inflated) as (keyof typeof inflated)[])('the %s, not a solid of revolution', (name) => {
  it('is inflated, with no symmetry notice', () => {
    const { result } = model(name);
    expect(result.stats.shape).toBe('inflated');
    expect(result.warnings).toEqual([]);
  });

  it('is closed and validator-clean', async () => {
    const { result, mesh } = model(name);
    expect(analyseTopology(mesh.positions, mesh.indices)).toMatchObject({ borderEdges: 0, nonManifoldEdges: 0, misorientedEdges: 0 });
    const validation = await validateGlb(result.glb);
    expect(validation.errors + validation.warnings).toBe(0);
  });
});

describe('an inflated shape', () => {
  it('is no thicker than its proportions suggest: the label is a slab a quarter as deep as it is tall, not a pillow', () => {
    const { size } = boundingBox(model('label').mesh.positions);
    // Drawn 300 × 230 px: the cap is 0.25 × 230 each side, times the default inflation 0.75.
    const expected = (2 * 0.25 * 0.75 * 230) / 300;
    expect(Math.abs(size[2]! - expected)).toBeLessThan(0.02);
  });

  it('has a flat face across the middle of the label', () => {
    const { positions } = model('label').mesh;
    const { size } = boundingBox(positions);
    const depths: number[] = [];
    for (let v = 0; v < positions.length / 3; v++) {
      if (Math.abs(positions[v * 3]!) < 0.25 && Math.abs(positions[v * 3 + 1]!) < 0.2 && positions[v * 3 + 2]! > 0) depths.push(positions[v * 3 + 2]!);
    }
    expect(depths.length).toBeGreaterThan(10);
    expect(Math.max(...depths) - Math.min(...depths)).toBeLessThan(0.02 * size[2]!);
  });

  it('keeps thin parts round: the horse\'s legs are as deep as they are wide', () => {
    const { mesh } = model('horse');
    const { min, max } = boundingBox(mesh.positions);
    // Near the hooves only the four legs (26 px wide) are cut.
    const section = crossSection(mesh, min[1]! + 0.05 * (max[1]! - min[1]!));
    const legDepth = 2 * Math.max(...section.map(([, z]) => Math.abs(z)));
    const scale = (max[0]! - min[0]!) / 425;
    expect(legDepth / (26 * scale)).toBeGreaterThan(0.6);
    expect(legDepth / (26 * scale)).toBeLessThan(0.9);
  });
});
