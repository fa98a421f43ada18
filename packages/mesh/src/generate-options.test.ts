import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

import { generateModel } from './generate-model.js';
import { resolveGenerateOptions } from './generate-options.js';
import { boundingBox } from './test-support/mesh-topology.js';
import { readGlbMesh } from './test-support/read-glb-mesh.js';
import { starOnWhite } from '@image2model/testing/synthetic-photos';

describe('resolveGenerateOptions', () => {
  it('fills in the documented defaults', () => {
    expect(resolveGenerateOptions()).toMatchObject({ faceLimit: 10_000, inflation: 0.75, method: 'puffball', textureSize: 1024, previewSize: 256 });
  });

  it.each([
    [{ face_limit: 3 }, 'face_limit must be an integer from 4 to 200000, got 3'],
    [{ face_limit: 200_001 }, 'face_limit'],
    [{ face_limit: 10.5 }, 'face_limit'],
    [{ inflation: 0 }, 'inflation'],
    [{ inflation: Number.NaN }, 'inflation'],
    [{ method: 'relief' as 'poisson' }, "method must be 'puffball' or 'poisson'"],
    [{ texture_size: 1000 }, 'texture_size must be a power of two'],
    [{ texture_size: 8192 }, 'texture_size'],
    [{ preview: { size: 0 } }, 'preview.size'],
  ])('rejects %o with a RangeError', (options, message) => {
    expect(() => resolveGenerateOptions(options)).toThrow(RangeError);
    expect(() => resolveGenerateOptions(options)).toThrow(message);
  });

  it('rejects bad options before doing any work', async () => {
    await expect(generateModel(Buffer.from('not even an image'), { face_limit: 0 })).rejects.toThrow(RangeError);
  });
});

describe('options change the model', () => {
  let star: Buffer;
  beforeAll(async () => {
    star = await starOnWhite(384);
  });

  it('inflation scales the depth', async () => {
    const depth = async (inflation: number): Promise<number> => {
      const { glb } = await generateModel(star, { face_limit: 1_500, inflation, preview: false });
      const { size } = boundingBox((await readGlbMesh(glb)).positions);
      return size[2]! / size[0]!;
    };
    const [thin, thick] = [await depth(0.4), await depth(0.8)];
    expect(thick / thin).toBeGreaterThan(1.8);
    expect(thick / thin).toBeLessThan(2.2);
  });

  it('texture_size caps the texture', async () => {
    const { glb } = await generateModel(star, { face_limit: 500, texture_size: 128, preview: false });
    const { texture } = await readGlbMesh(glb);
    expect(Math.max(texture.width, texture.height)).toBeLessThanOrEqual(128);
  });

  it('preview: false skips the preview; a size sets it', async () => {
    expect((await generateModel(star, { face_limit: 500, preview: false })).preview).toBeUndefined();
    const { preview } = await generateModel(star, { face_limit: 500, preview: { size: 96 } });
    expect(await sharp(preview).metadata()).toMatchObject({ format: 'png', width: 96, height: 96 });
  });

  it('method names the inflation used, and Poisson gives a different surface', async () => {
    const puffball = await generateModel(star, { face_limit: 1_500, preview: false });
    const poisson = await generateModel(star, { face_limit: 1_500, method: 'poisson', preview: false });
    expect(poisson.stats.method).toBe('poisson');
    expect(poisson.glb.equals(puffball.glb)).toBe(false);
  });

  it('reports progress as integers that never go back, ending at 100', async () => {
    const updates: [number, string][] = [];
    await generateModel(star, { face_limit: 500, onProgress: (progress, stage) => updates.push([progress, stage]) });
    const values = updates.map(([progress]) => progress);
    expect(values[0]).toBe(0);
    expect(values.at(-1)).toBe(100);
    expect(updates.at(-1)?.[1]).toBe('done');
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]!);
    for (const value of values) expect(Number.isInteger(value)).toBe(true);
    expect(new Set(updates.map(([, stage]) => stage)).size).toBeGreaterThan(5);
  });
});
