import { Document, NodeIO } from '@gltf-transform/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { computeVertexNormals } from './vertex-normals.js';
import { createBox, type MeshGeometry } from './fixture-meshes.js';
import { createFaceAtlasTexture } from './fixture-textures.js';
import { BOX_FACE_COLOURS } from './golden-scenes.js';
import { readGlbAsPreviewMesh } from './read-glb.js';
import { renderPreview } from './render-preview.js';

const box = createBox({ centre: [0, 0, 0], halfSize: [0.4, 0.4, 0.4] });
const atlas = createFaceAtlasTexture(BOX_FACE_COLOURS);

/** Writes a GLB the way our generator does: one mesh, one primitive, a base colour texture. */
async function writeGlb(options: {
  geometry: MeshGeometry;
  image?: Buffer;
  mimeType?: string;
  baseColorFactor?: [number, number, number, number];
  scale?: [number, number, number];
  shortIndices?: boolean;
}): Promise<Uint8Array> {
  const { geometry } = options;
  const document = new Document();
  const buffer = document.createBuffer();
  const accessor = (type: 'VEC3' | 'VEC2' | 'SCALAR', array: Float32Array | Uint32Array | Uint16Array) =>
    document.createAccessor().setType(type).setArray(array).setBuffer(buffer);
  const material = document.createMaterial().setBaseColorFactor(options.baseColorFactor ?? [1, 1, 1, 1]);
  if (options.image) {
    material.setBaseColorTexture(document.createTexture().setImage(options.image).setMimeType(options.mimeType ?? 'image/png'));
  }
  const primitive = document
    .createPrimitive()
    .setAttribute('POSITION', accessor('VEC3', geometry.positions))
    .setAttribute('NORMAL', accessor('VEC3', computeVertexNormals(geometry.positions, geometry.indices)))
    .setAttribute('TEXCOORD_0', accessor('VEC2', geometry.uvs))
    .setIndices(accessor('SCALAR', options.shortIndices ? Uint16Array.from(geometry.indices) : geometry.indices))
    .setMaterial(material);
  const node = document.createNode().setMesh(document.createMesh().addPrimitive(primitive));
  if (options.scale) node.setScale(options.scale);
  document.createScene().addChild(node);
  return new NodeIO().writeBinary(document);
}

async function encodeAtlas(format: 'png' | 'jpeg'): Promise<Buffer> {
  const image = sharp(atlas.data, { raw: { width: atlas.width, height: atlas.height, channels: 4 } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 95 }).toBuffer();
}

describe('readGlbAsPreviewMesh', () => {
  it('reads positions, indices, uvs and a PNG base colour texture unchanged', async () => {
    const mesh = await readGlbAsPreviewMesh(await writeGlb({ geometry: box, image: await encodeAtlas('png') }));
    expect(mesh.positions).toEqual(box.positions);
    expect(mesh.indices).toEqual(box.indices);
    expect(mesh.uvs).toEqual(box.uvs);
    expect(mesh.texture).toMatchObject({ width: atlas.width, height: atlas.height });
    expect(Buffer.from(mesh.texture.data).equals(Buffer.from(atlas.data))).toBe(true);
  });

  it('decodes a JPEG texture to RGBA and widens 16-bit indices', async () => {
    const glb = await writeGlb({ geometry: box, image: await encodeAtlas('jpeg'), mimeType: 'image/jpeg', shortIndices: true });
    const mesh = await readGlbAsPreviewMesh(glb);
    expect(mesh.indices).toBeInstanceOf(Uint32Array);
    expect(mesh.indices).toEqual(box.indices);
    expect(mesh.texture.data.length).toBe(atlas.width * atlas.height * 4);
    // The middle of the +z cell (column 1, row 1) is still about the same red after JPEG.
    const i = (48 * atlas.width + 48) * 4;
    const red = BOX_FACE_COLOURS['+z'];
    [0, 1, 2].forEach((c) => expect(Math.abs(mesh.texture.data[i + c]! - red[c]!)).toBeLessThan(12));
  });

  it('renders a GLB it read with the right face towards the camera', async () => {
    const mesh = await readGlbAsPreviewMesh(await writeGlb({ geometry: box, image: await encodeAtlas('jpeg'), mimeType: 'image/jpeg' }));
    const { data } = await sharp(await renderPreview(mesh, { yawDegrees: 0, pitchDegrees: 0, size: 64 })).raw().toBuffer({ resolveWithObject: true });
    const [r, g, b] = [data[(32 * 64 + 32) * 3]!, data[(32 * 64 + 32) * 3 + 1]!, data[(32 * 64 + 32) * 3 + 2]!];
    expect(r).toBeGreaterThan(2 * Math.max(g, b));
  });

  it('uses the base colour factor alone when there is no texture', async () => {
    const mesh = await readGlbAsPreviewMesh(await writeGlb({ geometry: box, baseColorFactor: [1, 0.2159, 0, 1] }));
    expect(mesh.texture).toMatchObject({ width: 1, height: 1 });
    // Linear 0.2159 is sRGB 128.
    expect(Array.from(mesh.texture.data)).toEqual([255, 128, 0, 255]);
  });

  it('applies the node transform and keeps faces outward under a mirroring scale', async () => {
    const mesh = await readGlbAsPreviewMesh(await writeGlb({ geometry: box, image: await encodeAtlas('png'), scale: [-2, 1, 1] }));
    expect(mesh.positions[0]).toBeCloseTo(box.positions[0]! * -2, 6);
    expect(mesh.positions[1]).toBeCloseTo(box.positions[1]!, 6);
    // Mirrored in x, the first triangle's last two corners swap to stay counter-clockwise.
    expect(Array.from(mesh.indices.subarray(0, 3))).toEqual([box.indices[0], box.indices[2], box.indices[1]]);
  });

  it('rejects a GLB without a triangle mesh', async () => {
    const document = new Document();
    document.createScene().addChild(document.createNode());
    await expect(readGlbAsPreviewMesh(await new NodeIO().writeBinary(document))).rejects.toThrow(/no triangle mesh/);
  });
});
