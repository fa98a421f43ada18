import { Document, NodeIO, Primitive } from '@gltf-transform/core';
import { describe, expect, it } from 'vitest';

import { box } from '../test-support/solids.js';
import { readModel } from './read-model.js';

const cube = box([-0.4, -0.4, -0.4], [0.4, 0.4, 0.4]);
const uvs = new Float32Array(Array.from({ length: 8 }, (_, i) => [(i & 1) * 0.5, (i & 2) * 0.25]).flat());
/** Each corner's outward diagonal: not what a renderer would use, but enough to follow a transform. */
const normals = cube.positions.map((value) => Math.sign(value) / Math.sqrt(3));
/** readModel passes image bytes through undecoded, so a PNG signature stands in for an image. */
const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG_BYTES = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 4, 5, 6]);

/** A GLB like the generator's: one node, one triangle primitive with normals, UVs and a base colour texture. */
async function writeCubeGlb(options: { image?: { bytes: Uint8Array; mimeType: string }; scale?: [number, number, number]; shortIndices?: boolean } = {}): Promise<Uint8Array> {
  const document = new Document();
  const buffer = document.createBuffer();
  const accessor = (type: 'VEC3' | 'VEC2' | 'SCALAR', array: Float32Array | Uint32Array | Uint16Array) =>
    document.createAccessor().setType(type).setArray(array).setBuffer(buffer);
  const material = document.createMaterial();
  if (options.image) material.setBaseColorTexture(document.createTexture().setImage(options.image.bytes).setMimeType(options.image.mimeType));
  const primitive = document
    .createPrimitive()
    .setAttribute('POSITION', accessor('VEC3', cube.positions))
    .setAttribute('NORMAL', accessor('VEC3', normals))
    .setAttribute('TEXCOORD_0', accessor('VEC2', uvs))
    .setIndices(accessor('SCALAR', options.shortIndices ? Uint16Array.from(cube.indices) : cube.indices))
    .setMaterial(material);
  const node = document.createNode().setMesh(document.createMesh().addPrimitive(primitive));
  if (options.scale) node.setScale(options.scale);
  document.createScene().addChild(node);
  return new NodeIO().writeBinary(document);
}

describe('readModel', () => {
  it('reads positions, indices, UVs, normals and a PNG base colour texture unchanged', async () => {
    const mesh = await readModel(await writeCubeGlb({ image: { bytes: PNG_BYTES, mimeType: 'image/png' } }));
    expect(mesh.positions).toEqual(cube.positions);
    expect(mesh.indices).toEqual(cube.indices);
    expect(mesh.uvs).toEqual(uvs);
    expect(mesh.normals).toEqual(normals);
    expect(mesh.texture).toEqual({ bytes: PNG_BYTES, mimeType: 'image/png' });
  });

  it('keeps a JPEG texture as JPEG and widens 16-bit indices', async () => {
    const mesh = await readModel(await writeCubeGlb({ image: { bytes: JPEG_BYTES, mimeType: 'image/jpeg' }, shortIndices: true }));
    expect(mesh.indices).toBeInstanceOf(Uint32Array);
    expect(mesh.indices).toEqual(cube.indices);
    expect(mesh.texture).toEqual({ bytes: JPEG_BYTES, mimeType: 'image/jpeg' });
  });

  it('has no texture when the material has none', async () => {
    expect((await readModel(await writeCubeGlb())).texture).toBeUndefined();
  });

  it('applies the node transform and keeps faces outward under a mirroring scale', async () => {
    const mesh = await readModel(await writeCubeGlb({ scale: [-2, 1, 1] }));
    expect(mesh.positions[0]).toBeCloseTo(cube.positions[0]! * -2, 6);
    expect(mesh.positions[1]).toBeCloseTo(cube.positions[1]!, 6);
    // Mirrored in x, each triangle's last two corners swap to stay counter-clockwise seen from outside.
    expect(Array.from(mesh.indices.subarray(0, 3))).toEqual([cube.indices[0], cube.indices[2], cube.indices[1]]);
    // The normals turn with the surface (x mirrored) and stay unit length.
    const [nx, ny, nz] = Array.from(mesh.normals!.subarray(0, 3));
    expect(Math.sign(nx!)).toBe(-Math.sign(normals[0]!));
    expect(Math.hypot(nx!, ny!, nz!)).toBeCloseTo(1, 6);
  });

  it('rejects a GLB without a triangle mesh (an empty node, a point cloud)', async () => {
    const document = new Document();
    const points = document
      .createPrimitive()
      .setMode(Primitive.Mode.POINTS!)
      .setAttribute('POSITION', document.createAccessor().setType('VEC3').setArray(cube.positions).setBuffer(document.createBuffer()));
    document.createScene().addChild(document.createNode()).addChild(document.createNode().setMesh(document.createMesh().addPrimitive(points)));
    await expect(readModel(await new NodeIO().writeBinary(document))).rejects.toThrow(/no triangle mesh/);
  });
});
