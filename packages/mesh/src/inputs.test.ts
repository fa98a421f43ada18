import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';

import { generateModel } from './generate-model.js';
import { InvalidImageError } from './image/invalid-image-error.js';
import { MAX_IMAGE_PIXELS } from './limits.js';
import { NO_OBJECT_WARNING } from './mask/segment-object.js';
import { analyseTopology, boundingBox } from './test-support/mesh-topology.js';
import { readGlbMesh } from './test-support/read-glb-mesh.js';
import { bottleWithAlpha, mugWithShadow, solidImage } from '@image2model/testing/synthetic-photos';
import { validateGlb } from './test-support/validate-glb.js';

async function expectValidClosedModel(glb: Buffer): Promise<void> {
  const mesh = await readGlbMesh(glb);
  expect(analyseTopology(mesh.positions, mesh.indices)).toMatchObject({ borderEdges: 0, nonManifoldEdges: 0, misorientedEdges: 0 });
  expect((await validateGlb(glb)).problems).toEqual([]);
}

/** A tall bottle on white, 320 × 512, as JPEG. */
async function tallBottleJpeg(): Promise<Sharp> {
  const bottle = await sharp(await bottleWithAlpha(512)).flatten({ background: '#ffffff' }).extract({ left: 96, top: 0, width: 320, height: 512 }).toBuffer();
  return sharp(bottle);
}

describe('inputs', () => {
  it('turns the photo upright from its EXIF orientation', async () => {
    // Stored lying on its side (rotated a quarter turn back), with orientation 6 saying "turn it clockwise".
    const stored = await (await tallBottleJpeg()).rotate(270).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect((await sharp(stored).metadata()).width).toBe(512);
    const { glb, stats } = await generateModel(stored, { face_limit: 2_000, preview: false });
    expect(stats).toMatchObject({ width: 320, height: 512, fallback: 'none' });
    const { size } = boundingBox((await readGlbMesh(glb)).positions);
    expect(size[1]).toBeCloseTo(1, 5);
    expect(size[0]).toBeLessThan(0.7);
  });

  it('gives an object that touches the image border a closed rim there', async () => {
    // The mug cut so its body runs off the left and bottom edges.
    const cropped = await sharp(await mugWithShadow(512)).extract({ left: 140, top: 100, width: 372, height: 300 }).png().toBuffer();
    const { glb, stats } = await generateModel(cropped, { face_limit: 2_000, preview: false });
    expect(stats.fallback).toBe('none');
    await expectValidClosedModel(glb);
  });

  it.each([
    [1, 1],
    [2, 3],
    [1, 300],
  ])('makes a valid model from a %i × %i image', async (width, height) => {
    const { glb, stats, warnings } = await generateModel(await solidImage(width, height, [200, 60, 40]), { face_limit: 500 });
    expect(stats).toMatchObject({ width, height, fallback: 'card' });
    expect(warnings).toEqual([NO_OBJECT_WARNING]);
    await expectValidClosedModel(glb);
  });

  it('reads greyscale JPEGs and 16-bit PNGs', async () => {
    const mug = await mugWithShadow(320);
    for (const photo of [await sharp(mug).greyscale().jpeg().toBuffer(), await sharp(mug).toColourspace('rgb16').png().toBuffer()]) {
      const { glb, stats } = await generateModel(photo, { face_limit: 1_000, preview: false });
      expect(stats.fallback).toBe('none');
      await expectValidClosedModel(glb);
    }
  });

  it('handles a 40-megapixel JPEG', async () => {
    const red = await sharp({ create: { width: 2400, height: 1600, channels: 3, background: '#c03020' } }).png().toBuffer();
    const photo = await sharp({ create: { width: 8000, height: 5000, channels: 3, background: '#ffffff' } })
      .composite([{ input: red, left: 2800, top: 1700 }])
      .jpeg()
      .toBuffer();
    const { glb, stats } = await generateModel(photo, { face_limit: 1_000, preview: false });
    expect(stats).toMatchObject({ width: 8000, height: 5000, fallback: 'none' });
    expect(stats.mask_coverage).toBeCloseTo((2400 * 1600) / (8000 * 5000), 2);
    await expectValidClosedModel(glb);
  });

  it('rejects images over the pixel limit before decoding them', async () => {
    const photo = await sharp({ create: { width: 8000, height: 5001, channels: 3, background: '#ffffff' } }).greyscale().png({ compressionLevel: 1 }).toBuffer();
    expect(8000 * 5001).toBeGreaterThan(MAX_IMAGE_PIXELS);
    await expect(generateModel(photo)).rejects.toThrow(InvalidImageError);
    await expect(generateModel(photo)).rejects.toThrow('8000×5001 pixels; the limit is 40,000,000');
  });

  it('rejects bytes that are not an image', async () => {
    await expect(generateModel(Buffer.from('definitely not a photo'))).rejects.toThrow(InvalidImageError);
  });

  it('says in plain words that a photo whose header reads but whose pixels are cut off is damaged', async () => {
    const jpeg = await (await tallBottleJpeg()).jpeg().toBuffer();
    const png = await (await tallBottleJpeg()).png().toBuffer();
    // Still valid at the header (the upload check reads only that), cut off in the pixel data.
    await expect(sharp(jpeg.subarray(0, jpeg.length * 0.6)).metadata()).resolves.toMatchObject({ format: 'jpeg', width: 320 });
    const cutJpeg = generateModel(jpeg.subarray(0, jpeg.length * 0.6));
    await expect(cutJpeg).rejects.toThrow(InvalidImageError);
    await expect(cutJpeg).rejects.toThrow(/^The photo is damaged \(truncated JPEG\): upload a complete copy$/);
    await expect(generateModel(png.subarray(0, png.length * 0.6))).rejects.toThrow(/^The photo is damaged or incomplete \(its PNG data does not decode\): upload a complete copy$/);
  });
});
