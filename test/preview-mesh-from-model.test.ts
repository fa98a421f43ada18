import type { ModelMesh } from '@image2model/formats';
import { renderPreview } from '@image2model/mesh/preview';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { previewMeshFromModel } from '../scripts/preview-mesh-from-model.js';

const RED = [220, 30, 30];
const BLUE = [30, 40, 200];

/** A square facing +Z, counter-clockwise seen from the front, with glTF UVs (v = 0 at the image's top). */
const square: ModelMesh = {
  positions: new Float32Array([-0.5, -0.5, 0, 0.5, -0.5, 0, 0.5, 0.5, 0, -0.5, 0.5, 0]),
  indices: new Uint32Array([0, 1, 2, 0, 2, 3]),
  uvs: new Float32Array([0, 1, 1, 1, 1, 0, 0, 0]),
};

/** An 8×8 image, red above blue, encoded as the GLB would hold it. */
async function redOverBlue(format: 'png' | 'jpeg'): Promise<{ bytes: Uint8Array; raw: Uint8Array }> {
  const raw = new Uint8Array(8 * 8 * 4);
  for (let p = 0; p < 64; p++) raw.set([...(p < 32 ? RED : BLUE), 255], p * 4);
  const image = sharp(raw, { raw: { width: 8, height: 8, channels: 4 } });
  const bytes = await (format === 'png' ? image.png() : image.jpeg({ quality: 95 })).toBuffer();
  return { bytes: new Uint8Array(bytes), raw };
}

const pixel = (data: Uint8Array, width: number, x: number, y: number, channels: number): number[] =>
  Array.from(data.subarray((y * width + x) * channels, (y * width + x) * channels + 3));

describe('previewMeshFromModel', () => {
  it('passes the geometry through and decodes a PNG texture to the same RGBA pixels', async () => {
    const { bytes, raw } = await redOverBlue('png');
    const mesh = await previewMeshFromModel({ ...square, texture: { bytes, mimeType: 'image/png' } });
    expect(mesh.positions).toBe(square.positions);
    expect(mesh.indices).toBe(square.indices);
    expect(mesh.uvs).toBe(square.uvs);
    expect(mesh.texture).toEqual({ data: raw, width: 8, height: 8 });
  });

  it('decodes a JPEG and a grey PNG to RGBA', async () => {
    const jpeg = await previewMeshFromModel({ ...square, texture: { bytes: (await redOverBlue('jpeg')).bytes, mimeType: 'image/jpeg' } });
    expect(jpeg.texture.data.length).toBe(8 * 8 * 4);
    pixel(jpeg.texture.data, 8, 4, 1, 4).forEach((value, c) => expect(Math.abs(value - RED[c]!)).toBeLessThan(12));

    const greyPng = await sharp(new Uint8Array([0, 128, 255, 64]), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer();
    const grey = await previewMeshFromModel({ ...square, texture: { bytes: new Uint8Array(greyPng), mimeType: 'image/png' } });
    expect(Array.from(grey.texture.data)).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 64, 64, 64, 255]);
  });

  it('draws a model without texture or UVs white, with a UV pair per vertex', async () => {
    const mesh = await previewMeshFromModel({ positions: square.positions, indices: square.indices });
    expect(mesh.texture).toEqual({ data: new Uint8Array([255, 255, 255, 255]), width: 1, height: 1 });
    expect(mesh.uvs).toEqual(new Float32Array(8));
  });

  it('renders the texture the right way up', async () => {
    const { bytes } = await redOverBlue('png');
    const png = await renderPreview(await previewMeshFromModel({ ...square, texture: { bytes, mimeType: 'image/png' } }), { yawDegrees: 0, pitchDegrees: 0, size: 64 });
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const [top, bottom] = [pixel(data, 64, 32, 22, 3), pixel(data, 64, 32, 42, 3)];
    expect(top[0]).toBeGreaterThan(2 * Math.max(top[1]!, top[2]!));
    expect(bottom[2]).toBeGreaterThan(2 * Math.max(bottom[0]!, bottom[1]!));
  });
});
