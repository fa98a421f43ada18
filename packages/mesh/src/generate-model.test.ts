import { beforeAll, describe, expect, it } from 'vitest';

import { generateModel, SYMMETRY_ASSUMED, type GenerateResult } from './generate-model.js';
import { NO_OBJECT_WARNING } from './mask/segment-object.js';
import { backgroundPhoto } from './test-support/composite-photos.js';
import { analyseTopology, boundingBox, genus, signedVolume } from './test-support/mesh-topology.js';
import { readGlbMesh, type GlbMesh } from './test-support/read-glb-mesh.js';
import { sampleTexture } from './test-support/sample-texture.js';
import { bottleWithAlpha, busyBackground, mugWithShadow, starOnWhite, whiteLabelOnWhite } from '@image2model/testing/synthetic-photos';
import { validateGlb } from './test-support/validate-glb.js';

const FACE_LIMIT = 3_000;

const photos = {
  star: starOnWhite,
  bottle: bottleWithAlpha,
  mug: mugWithShadow,
  label: whiteLabelOnWhite,
  stripes: busyBackground,
  gravel: () => backgroundPhoto('gravel'),
};
type PhotoName = keyof typeof photos;

const generated = new Map<PhotoName, { result: GenerateResult; mesh: GlbMesh }>();

beforeAll(async () => {
  for (const [name, draw] of Object.entries(photos) as [PhotoName, () => Promise<Buffer>][]) {
    const result = await generateModel(await draw(), { face_limit: FACE_LIMIT });
    generated.set(name, { result, mesh: await readGlbMesh(result.glb) });
  }
});

function model(name: PhotoName): { result: GenerateResult; mesh: GlbMesh } {
  const entry = generated.get(name);
  if (!entry) throw new Error(`${name} was not generated`);
  return entry;
}

describe.each(Object.keys(photos) as PhotoName[])('the model of the %s photo', (name) => {
  it('passes the Khronos glTF validator with no errors and no warnings', async () => {
    const validation = await validateGlb(model(name).result.glb);
    expect(validation.problems).toEqual([]);
    expect(validation.errors + validation.warnings).toBe(0);
  });

  it('is watertight, consistently wound and encloses positive volume', () => {
    const { positions, indices } = model(name).mesh;
    const topology = analyseTopology(positions, indices);
    expect(topology).toMatchObject({ borderEdges: 0, nonManifoldEdges: 0, misorientedEdges: 0 });
    expect(signedVolume(positions, indices)).toBeGreaterThan(0);
  });

  it('stays within the face limit and reports its size truthfully', () => {
    const { result, mesh } = model(name);
    expect(mesh.indices.length / 3).toBeLessThanOrEqual(FACE_LIMIT);
    expect(result.stats.triangles).toBe(mesh.indices.length / 3);
    expect(result.stats.vertices).toBe(mesh.positions.length / 3);
    expect(result.stats).toMatchObject({ width: 512, height: 512, method: 'puffball' });
  });

  it('is centred, one metre on its longest side, with the silhouette in the plane z = 0', () => {
    const { size, min, max } = boundingBox(model(name).mesh.positions);
    expect(Math.max(...size)).toBeCloseTo(1, 5);
    for (let axis = 0; axis < 2; axis++) expect(min[axis]! + max[axis]!).toBeCloseTo(0, 5);
    // Front and back bulge alike, so the depth is centred up to what simplification moved.
    expect(Math.abs(min[2]! + max[2]!)).toBeLessThan(0.05 * size[2]!);
    // Every photo here is about as tall as wide and far thinner than either.
    expect(size[2]).toBeLessThan(Math.max(size[0]!, size[1]!));
  });

  it('carries a power-of-two JPEG texture and a PNG preview', async () => {
    const { result, mesh } = model(name);
    expect(mesh.texture.mimeType).toBe('image/jpeg');
    for (const side of [mesh.texture.width, mesh.texture.height]) expect(Math.log2(side) % 1).toBe(0);
    expect(result.preview?.subarray(1, 4).toString('latin1')).toBe('PNG');
  });
});

describe('separating the object from its background', () => {
  it('keeps the mug handle as a hole: a surface of genus 1', () => {
    const { positions, indices } = model('mug').mesh;
    const topology = analyseTopology(positions, indices);
    expect(topology.components).toBe(1);
    expect(genus(topology)).toBe(1);
  });

  it('leaves the soft shadow out of the mug', () => {
    const { size } = boundingBox(model('mug').mesh.positions);
    // Drawn 317 px wide (body and handle) and 299 px tall from rim to base; the shadow would add ~25 px below.
    expect(Math.abs(size[1]! / size[0]! - 299 / 317)).toBeLessThan(0.03);
  });

  it('keeps a white label on white whole: no holes punched where the text is', () => {
    const { result, mesh } = model('label');
    const topology = analyseTopology(mesh.positions, mesh.indices);
    expect(result.stats.fallback).toBe('none');
    expect(genus(topology)).toBe(0);
    expect(result.stats.mask_coverage).toBeGreaterThan(0.2);
  });

  it('cuts the bottle out along its alpha channel', () => {
    const { result } = model('bottle');
    expect(result.stats.fallback).toBe('none');
    expect(result.stats.mask_coverage).toBeGreaterThan(0.15);
    expect(result.stats.mask_coverage).toBeLessThan(0.3);
  });

  it('separates the disk from a busy background with GrabCut: a shape, not a card', () => {
    const { result, mesh } = model('stripes');
    expect(result.stats.fallback).toBe('none');
    expect(result.segmentation).toMatchObject({ method: 'grabcut', warnings: [] });
    const { size } = boundingBox(mesh.positions);
    expect(size[0]).toBeCloseTo(1, 1); // the disk, not the square photo, spans the metre
    expect(size[1]).toBeCloseTo(1, 1);
    expect(result.stats.mask_coverage).toBeLessThan(0.15);
  });

  it('turns a busy photo with no object into a textured card, with a coded warning', () => {
    const { result, mesh } = model('gravel');
    expect(result.stats.fallback).toBe('card');
    expect(result.warnings).toEqual([NO_OBJECT_WARNING]);
    expect(result.stats.shape).toBe('card');
    expect(result.segmentation.warnings.map((warning) => warning.code)).toEqual(['BACKGROUND_NOT_SEPARATED']);
    const { size } = boundingBox(mesh.positions);
    expect(size[0]).toBeCloseTo(1, 5);
    expect(size[1]).toBeCloseTo(1, 5);
    expect(size[2]).toBeLessThan(0.15);
  });

  it('reports no warnings when the object separates cleanly, only that a round one is assumed symmetric', () => {
    for (const name of ['star', 'bottle', 'mug', 'label', 'stripes'] as const) {
      const { warnings, stats } = model(name).result;
      expect(warnings).toEqual(stats.shape === 'revolved' ? [SYMMETRY_ASSUMED] : []);
    }
  });
});

describe('texturing', () => {
  it('shows no white background fringe along the silhouette of the star', () => {
    const { positions, uvs, texture } = model('star').mesh;
    // The darkest channel tells white (255) from the star's orange and red (≤ 60) and its grey-blue dots (111).
    const darkest: number[] = [];
    for (let v = 0; v < positions.length / 3; v++) {
      if (positions[v * 3 + 2] === 0) darkest.push(Math.min(...sampleTexture(texture, uvs[v * 2]!, uvs[v * 2 + 1]!)));
    }
    darkest.sort((a, b) => a - b);
    expect(darkest.length).toBeGreaterThan(50);
    // Without colour bleeding the rim samples half background: a median near 170, some above 230.
    expect(darkest[darkest.length >> 1]).toBeLessThan(60);
    expect(darkest[darkest.length - 1]).toBeLessThan(140);
  });

  it('maps the photo straight onto the front: the star badge is green where it was drawn', () => {
    const { positions, uvs, texture } = model('star').mesh;
    // The green badge (centre (256, 275), radius 48) sits in the star's bounds (37…475) × (40…456);
    // its upper part, above the white "3D", is at about (0.5, 0.48) of them. Find the front vertex nearest that.
    const { min, max } = boundingBox(positions);
    let best = -1, bestDistance = Infinity;
    for (let v = 0; v < positions.length / 3; v++) {
      if (positions[v * 3 + 2]! <= 0) continue;
      const u = (positions[v * 3]! - min[0]!) / (max[0]! - min[0]!);
      const w = (max[1]! - positions[v * 3 + 1]!) / (max[1]! - min[1]!);
      const distance = Math.hypot(u - 0.5, w - 0.48);
      if (distance < bestDistance) [best, bestDistance] = [v, distance];
    }
    const [red, green, blue] = sampleTexture(texture, uvs[best * 2]!, uvs[best * 2 + 1]!);
    expect(green).toBeGreaterThan(red + 40);
    expect(green).toBeGreaterThan(blue + 40);
  });
});
