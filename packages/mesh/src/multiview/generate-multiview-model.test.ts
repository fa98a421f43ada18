import { fileURLToPath } from 'node:url';

import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

import { analyseTopology, boundingBox, signedVolume } from '../test-support/mesh-topology.js';
import { asymmetricBlock, box, cylinder, lBlock, renderFourViews, type SyntheticObject } from '../test-support/multiview-objects.js';
import { readGlbMesh, type GlbMesh } from '../test-support/read-glb-mesh.js';
import { sampleTexture } from '../test-support/sample-texture.js';
import { validateGlb } from '../test-support/validate-glb.js';
import { generateMultiviewModel, type MultiviewResult } from './generate-multiview-model.js';
import { MAX_OPPOSITE_WIDTH_RATIO } from './view-agreement.js';
import type { ViewName } from './view-cameras.js';

const FACE_LIMIT = 10_000;

/** The model's width, height and depth scaled so its height is the object's, and its volume at that scale. */
function measure(mesh: GlbMesh, object: SyntheticObject): { size: number[]; volume: number } {
  const { size } = boundingBox(mesh.positions);
  const scale = object.size[1] / size[1]!;
  return { size: size.map((side) => side * scale), volume: signedVolume(mesh.positions, mesh.indices) * scale ** 3 };
}

async function expectCleanClosedModel(result: MultiviewResult, faceLimit: number): Promise<GlbMesh> {
  const validation = await validateGlb(result.glb);
  expect(validation.problems).toEqual([]);
  expect(validation.errors + validation.warnings).toBe(0);
  const mesh = await readGlbMesh(result.glb);
  const topology = analyseTopology(mesh.positions, mesh.indices);
  expect({ border: topology.borderEdges, nonManifold: topology.nonManifoldEdges, misoriented: topology.misorientedEdges }).toEqual({ border: 0, nonManifold: 0, misoriented: 0 });
  expect(mesh.indices.length / 3).toBeLessThanOrEqual(faceLimit);
  expect(result.stats.triangles).toBe(mesh.indices.length / 3);
  return mesh;
}

describe('generateMultiviewModel on objects rendered from four sides', () => {
  const objects = [box(), cylinder(), lBlock()];
  const results = new Map<string, { result: MultiviewResult; mesh: GlbMesh }>();

  beforeAll(async () => {
    for (const object of objects) {
      const result = await generateMultiviewModel(await renderFourViews(object), { face_limit: FACE_LIMIT, preview: false });
      results.set(object.name, { result, mesh: await readGlbMesh(result.glb) });
    }
  });

  it.each(objects.map((object) => [object.name, object] as const))('%s: closed, validator-clean, in budget, carved from all four views', async (name) => {
    const { result } = results.get(name)!;
    await expectCleanClosedModel(result, FACE_LIMIT);
    expect(result.stats.shape).toBe('hull');
    expect(result.stats.views).toEqual(['front', 'left', 'back', 'right']);
    expect(result.warnings).toEqual([]);
  });

  it.each(objects.map((object) => [object.name, object] as const))('%s: width, height and depth within 15 % and volume within 25 % of the object', (name, object) => {
    const { size, volume } = measure(results.get(name)!.mesh, object);
    const proportions = (sides: number[]): number[] => sides.map((side) => side / sides[1]!);
    proportions(size).forEach((ratio, axis) => expect(Math.abs(ratio / proportions(object.size)[axis]! - 1)).toBeLessThan(0.15));
    expect(Math.abs(volume / object.volume - 1)).toBeLessThan(0.25);
  });
});

describe('generateMultiviewModel: which side is which', () => {
  const object = asymmetricBlock();
  let views: Record<ViewName, Buffer>;

  beforeAll(async () => {
    views = await renderFourViews(object);
  });

  /**
   * How far the model's horizontal cross-section at `height` (0 bottom … 1 top) reaches along
   * `axis` (0 x, 2 z) in direction `sign`: where the plane cuts the mesh's edges.
   */
  function reach(mesh: GlbMesh, axis: 0 | 2, sign: 1 | -1, height: number): number {
    const { positions, indices } = mesh;
    const { min, size } = boundingBox(positions);
    const plane = min[1]! + height * size[1]!;
    let best = -Infinity;
    for (let i = 0; i < indices.length; i += 3) {
      for (let k = 0; k < 3; k++) {
        const a = indices[i + k]! * 3, b = indices[i + ((k + 1) % 3)]! * 3;
        const ya = positions[a + 1]!, yb = positions[b + 1]!;
        if ((ya - plane) * (yb - plane) > 0 || ya === yb) continue;
        const t = (plane - ya) / (yb - ya);
        best = Math.max(best, sign * (positions[a + axis]! + t * (positions[b + axis]! - positions[a + axis]!)));
      }
    }
    return best;
  }

  /** The nose sticks out of the front (+z) in the upper half, the fin out of the object's left (+x) in the lower. */
  function expectNoseFrontFinLeft(mesh: GlbMesh): void {
    const upper = 0.7, lower = 0.2;
    // The nose reaches 0.4 (0.3 of the model's longest side) further forward than the body; the back is flat.
    expect(reach(mesh, 2, 1, upper) - reach(mesh, 2, 1, lower)).toBeGreaterThan(0.25);
    expect(Math.abs(reach(mesh, 2, -1, upper) - reach(mesh, 2, -1, lower))).toBeLessThan(0.03);
    // The fin reaches 0.4 further left (+x) than the body; the right side is flat.
    expect(reach(mesh, 0, 1, lower) - reach(mesh, 0, 1, upper)).toBeGreaterThan(0.25);
    expect(Math.abs(reach(mesh, 0, -1, lower) - reach(mesh, 0, -1, upper))).toBeLessThan(0.03);
  }

  it.each([
    ['all four views', ['front', 'left', 'back', 'right']],
    ['the front and the left', ['front', 'left']],
    ['the front and the right', ['front', 'right']],
    ['the front, the right and the back', ['front', 'right', 'back']],
  ] as const)('%s put the nose at the front and the fin on the left', async (_, names) => {
    const chosen = Object.fromEntries(names.map((name) => [name, views[name]])) as Record<ViewName, Buffer>;
    const result = await generateMultiviewModel(chosen, { face_limit: FACE_LIMIT, preview: false });
    const mesh = await expectCleanClosedModel(result, FACE_LIMIT);
    expectNoseFrontFinLeft(mesh);
    const mirrored = (['back', 'right', 'left'] as const).filter((name) => !names.includes(name as never));
    expect(result.warnings.map((warning) => warning.code)).toEqual(mirrored.length > 0 ? ['SYMMETRY_ASSUMED'] : []);
    for (const name of mirrored) expect(result.warnings[0]!.message).toContain(`the ${name} a mirror of the`);
  });

  it('paints the left side (+x) red and the right side (−x) blue, each from the view that sees it', async () => {
    const result = await generateMultiviewModel(views, { face_limit: FACE_LIMIT, preview: false });
    const mesh = await readGlbMesh(result.glb);
    const colours = { left: [0, 0, 0], right: [0, 0, 0] };
    const { min, size } = boundingBox(mesh.positions);
    for (let v = 0; v < mesh.positions.length / 3; v++) {
      const height = (mesh.positions[v * 3 + 1]! - min[1]!) / size[1]!;
      const nx = mesh.normals[v * 3]!;
      if (height < 0.45 || height > 0.6 || Math.abs(nx) < 0.95) continue;
      const rgb = sampleTexture(mesh.texture, mesh.uvs[v * 2]!, mesh.uvs[v * 2 + 1]!);
      const side = nx > 0 ? colours.left : colours.right;
      rgb.forEach((channel, c) => (side[c]! += channel));
    }
    const [lr, , lb] = colours.left;
    const [rr, , rb] = colours.right;
    expect(lr!).toBeGreaterThan(2 * lb!);
    expect(rb!).toBeGreaterThan(2 * rr!);
  });
});

describe('generateMultiviewModel: views that disagree, and what it needs', () => {
  it('warns VIEWS_DISAGREE when the back is of another object (widths differ beyond the documented ratio)', async () => {
    const views = await renderFourViews(box());
    const other = await renderFourViews(lBlock());
    const result = await generateMultiviewModel({ ...views, back: other.back }, { face_limit: 2_000, preview: false });
    const disagree = result.warnings.filter((warning) => warning.code === 'VIEWS_DISAGREE');
    expect(disagree).toHaveLength(1);
    expect(disagree[0]!.message).toMatch(/front and back outlines differ in width by \d+ %/);
    expect(MAX_OPPOSITE_WIDTH_RATIO).toBe(1.15);
  });

  it('warns VIEWS_DISAGREE when a side view leaves rows of the front empty', async () => {
    const stacked: SyntheticObject = {
      name: 'two blocks, one above the other',
      parts: [
        { kind: 'box', min: [-0.4, 0, -0.3], max: [0.4, 0.5, 0.3], colour: [120, 120, 120] },
        { kind: 'box', min: [-0.4, 0.8, -0.3], max: [0.4, 1.3, 0.3], colour: [120, 120, 120] },
      ],
      size: [0.8, 1.3, 0.6],
      volume: 0.48,
    };
    const result = await generateMultiviewModel({ front: (await renderFourViews(box())).front, left: (await renderFourViews(stacked)).left }, { face_limit: 2_000, preview: false });
    const disagree = result.warnings.filter((warning) => warning.code === 'VIEWS_DISAGREE');
    expect(disagree).toHaveLength(1);
    expect(disagree[0]!.message).toMatch(/leave 2\d % of the front outline out/);
  });

  it('needs a side view', async () => {
    const views = await renderFourViews(box());
    await expect(generateMultiviewModel({ front: views.front, back: views.back })).rejects.toThrow(RangeError);
  });

  it('gives the same bytes for the same views', async () => {
    const views = await renderFourViews(cylinder());
    const first = await generateMultiviewModel(views, { face_limit: 3_000 });
    const second = await generateMultiviewModel(views, { face_limit: 3_000 });
    expect(Buffer.compare(first.glb, second.glb)).toBe(0);
    expect(Buffer.compare(first.preview!, second.preview!)).toBe(0);
  });

  it.each([4, 100, 60_000])('stays closed and validator-clean within face_limit %i', async (faceLimit) => {
    const result = await generateMultiviewModel(await renderFourViews(lBlock()), { face_limit: faceLimit, preview: false });
    await expectCleanClosedModel(result, faceLimit);
  });
});

describe('generateMultiviewModel on photos with a background', () => {
  const backgrounds = fileURLToPath(new URL('../test-support/backgrounds/', import.meta.url));

  async function onBackground(views: Record<ViewName, Buffer>, background: (size: number) => Promise<Buffer>): Promise<Record<ViewName, Buffer>> {
    const entries = await Promise.all(
      Object.entries(views).map(async ([name, png]) => {
        const { width } = await sharp(png).metadata();
        return [name, await sharp(await background(width)).composite([{ input: png }]).jpeg({ quality: 92 }).toBuffer()] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<ViewName, Buffer>;
  }

  it('leaves out a view with no object to separate, and falls back to the front alone without a side', async () => {
    const views = await renderFourViews(box());
    const gravel = await sharp(`${backgrounds}gravel.jpg`).resize(512, 512, { fit: 'cover' }).jpeg().toBuffer();
    const withoutRight = await generateMultiviewModel({ ...views, right: gravel }, { face_limit: 2_000, preview: false });
    expect(withoutRight.stats).toMatchObject({ shape: 'hull', views: ['front', 'left', 'back'] });
    expect(withoutRight.warnings.some((warning) => warning.message.startsWith('right view: '))).toBe(true);
    expect(withoutRight.segmentation.warnings.length).toBeGreaterThan(0);
    const frontAlone = await generateMultiviewModel({ front: views.front, left: gravel }, { face_limit: 2_000, preview: false });
    expect(frontAlone.stats.shape).not.toBe('hull');
    expect(frontAlone.stats.views).toEqual(['front']);
    expect(frontAlone.warnings.at(-1)).toEqual({ code: 'SIDE_VIEW_NOT_SEPARATED', message: expect.stringMatching(/made the model from the front photo alone/) });
  });

  it.each([
    ['a box on a plain white backdrop (the flood)', box(), (size: number) => sharp({ create: { width: size, height: size, channels: 3, background: '#f4f4f2' } }).png().toBuffer(), 'flood'],
    ['a cylinder on a wooden table (GrabCut)', cylinder(), (size: number) => sharp(`${backgrounds}wood-coffee.jpg`).resize(size, size, { fit: 'cover' }).png().toBuffer(), 'grabcut'],
  ] as const)('separates each view of %s and keeps the proportions', async (_, object, background, method) => {
    const result = await generateMultiviewModel(await onBackground(await renderFourViews(object), background), { face_limit: FACE_LIMIT, preview: false });
    const mesh = await expectCleanClosedModel(result, FACE_LIMIT);
    expect(result.segmentation.method).toBe(method);
    expect(result.stats.shape).toBe('hull');
    const { size, volume } = measure(mesh, object);
    expect(Math.abs(size[0]! / object.size[0] - 1)).toBeLessThan(0.15);
    expect(Math.abs(size[2]! / object.size[2] - 1)).toBeLessThan(0.15);
    expect(Math.abs(volume / object.volume - 1)).toBeLessThan(0.25);
  });
});
