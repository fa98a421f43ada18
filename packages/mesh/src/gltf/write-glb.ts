import { Document, NodeIO } from '@gltf-transform/core';

import type { PlacedModel } from '../geometry/place-model.js';

const ROUGHNESS = 0.85;
// WebGL enums, as glTF samplers store them.
const CLAMP_TO_EDGE = 33071;
const LINEAR = 9729;
const LINEAR_MIPMAP_LINEAR = 9987;

/**
 * Packs the model into a binary glTF 2.0: one mesh with POSITION, NORMAL and TEXCOORD_0, one
 * JPEG base-colour texture, a rough non-metal material. No timestamps or ids: the same model
 * always gives the same bytes.
 */
export async function writeGlb(model: PlacedModel, textureJpeg: Uint8Array): Promise<Buffer> {
  const document = new Document();
  document.getRoot().getAsset().generator = 'Image2Model';
  const buffer = document.createBuffer();
  const vertexCount = model.positions.length / 3;
  const indices = vertexCount <= 0xffff ? Uint16Array.from(model.indices) : model.indices;
  const texture = document.createTexture('photo').setImage(textureJpeg).setMimeType('image/jpeg');
  const material = document
    .createMaterial('photo')
    .setBaseColorTexture(texture)
    .setMetallicFactor(0)
    .setRoughnessFactor(ROUGHNESS);
  material
    .getBaseColorTextureInfo()!
    .setWrapS(CLAMP_TO_EDGE)
    .setWrapT(CLAMP_TO_EDGE)
    .setMinFilter(LINEAR_MIPMAP_LINEAR)
    .setMagFilter(LINEAR);
  const primitive = document
    .createPrimitive()
    .setAttribute('POSITION', document.createAccessor('position').setType('VEC3').setArray(model.positions).setBuffer(buffer))
    .setAttribute('NORMAL', document.createAccessor('normal').setType('VEC3').setArray(model.normals).setBuffer(buffer))
    .setAttribute('TEXCOORD_0', document.createAccessor('uv').setType('VEC2').setArray(model.uvs).setBuffer(buffer))
    .setIndices(document.createAccessor('indices').setType('SCALAR').setArray(indices).setBuffer(buffer))
    .setMaterial(material);
  const mesh = document.createMesh('model').addPrimitive(primitive);
  const scene = document.createScene('scene').addChild(document.createNode('model').setMesh(mesh));
  document.getRoot().setDefaultScene(scene);
  const glb = await new NodeIO().writeBinary(document);
  return Buffer.from(glb.buffer, glb.byteOffset, glb.byteLength);
}
