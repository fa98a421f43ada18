import { Document, NodeIO, type Primitive } from '@gltf-transform/core';
import { KHRDracoMeshCompression } from '@gltf-transform/extensions';
import draco3d from 'draco3dgltf';

import { makeTripoModel, type ModelMaker } from './tripo-model.js';

/** The transform of the root node above the two halves: FAL's GLBs often carry one (a turn, a scale). */
export const DRACO_ROOT_TRANSFORM = { rotation: [0, Math.SQRT1_2, 0, Math.SQRT1_2] as [number, number, number, number], scale: [2, 2, 2] as [number, number, number], translation: [0.1, 0.2, 0.3] as [number, number, number] };

/**
 * A model maker shaped like FAL's GLBs rather than ours: the generated model split into two meshes
 * (the halves of its triangle list) on two child nodes of a turned, scaled and moved root, Draco
 * compressed (KHR_draco_mesh_compression, required). Readers must decode it and bake the world
 * transforms; welded again, the halves make the closed model they came from.
 *
 * @example
 * const fal = await startFalEmulator({ makeModel: makeDracoMultiNodeModel });
 */
export const makeDracoMultiNodeModel: ModelMaker = async (image, input) => {
  const made = await makeTripoModel(image, input);
  if (!made.model_file_name.endsWith('.glb')) return made;
  const io = new NodeIO().registerExtensions([KHRDracoMeshCompression]).registerDependencies({
    'draco3d.decoder': await draco3d.createDecoderModule(),
    'draco3d.encoder': await draco3d.createEncoderModule(),
  });
  const source = await io.readBinary(made.model);
  const primitive = source.getRoot().listMeshes()[0]?.listPrimitives()[0];
  if (!primitive) return made;
  const document = new Document();
  const buffer = document.createBuffer();
  const material = source.getRoot().listMaterials()[0];
  const texture = material?.getBaseColorTexture();
  const copy = document.createMaterial('material');
  if (texture) copy.setBaseColorTexture(document.createTexture('base').setImage(texture.getImage()!).setMimeType(texture.getMimeType()));
  const root = document.createNode('root').setRotation(DRACO_ROOT_TRANSFORM.rotation).setScale(DRACO_ROOT_TRANSFORM.scale).setTranslation(DRACO_ROOT_TRANSFORM.translation);
  const indices = primitive.getIndices()!.getArray()!;
  const half = Math.floor(indices.length / 6) * 3;
  for (const [name, part] of [['first', indices.slice(0, half)], ['second', indices.slice(half)]] as const) {
    const mesh = document.createMesh(name).addPrimitive(halfPrimitive(document, buffer, primitive, Array.from(part)).setMaterial(copy));
    root.addChild(document.createNode(name).setMesh(mesh));
  }
  document.createScene('scene').addChild(root);
  // One quantisation grid for both meshes (as one exporter writes one scene): the halves' seam copies stay equal.
  document.createExtension(KHRDracoMeshCompression).setRequired(true).setEncoderOptions({ method: KHRDracoMeshCompression.EncoderMethod.EDGEBREAKER, quantizationVolume: 'scene' });
  return { ...made, model: Buffer.from(await io.writeBinary(document)) };
};

/** The triangles `corners` of `source` as a primitive of their own, with only the vertices they use. */
function halfPrimitive(document: Document, buffer: ReturnType<Document['createBuffer']>, source: Primitive, corners: number[]): Primitive {
  const used = [...new Set(corners)];
  const newIndex = new Map(used.map((vertex, i) => [vertex, i]));
  const primitive = document.createPrimitive();
  for (const semantic of ['POSITION', 'NORMAL', 'TEXCOORD_0']) {
    const attribute = source.getAttribute(semantic);
    if (!attribute) continue;
    const size = attribute.getElementSize();
    const values = new Float32Array(used.length * size);
    const element: number[] = [];
    used.forEach((vertex, i) => values.set(attribute.getElement(vertex, element), i * size));
    primitive.setAttribute(semantic, document.createAccessor().setType(attribute.getType()).setArray(values).setBuffer(buffer));
  }
  const indices = Uint32Array.from(corners, (vertex) => newIndex.get(vertex)!);
  return primitive.setIndices(document.createAccessor().setType('SCALAR').setArray(indices).setBuffer(buffer));
}
