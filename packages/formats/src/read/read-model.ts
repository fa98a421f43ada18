import { NodeIO, Primitive, type Accessor, type Document, type Node } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import draco3d from 'draco3dgltf';
import { MeshoptDecoder } from 'meshoptimizer';

import type { ModelMesh, ModelTexture } from '../model-mesh.js';
import { normalMatrix, transformDirections, transformPoints, type Matrix4 } from './transforms.js';

let io: Promise<NodeIO> | null = null;

/** One reader per thread: the Draco and meshopt decoders are WebAssembly, compiled once. */
function reader(): Promise<NodeIO> {
  io ??= (async () => {
    await MeshoptDecoder.ready;
    return new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies({
      'draco3d.decoder': await draco3d.createDecoderModule(),
      'meshopt.decoder': MeshoptDecoder,
    });
  })();
  return io;
}

interface Part {
  positions: Float32Array;
  indices: Uint32Array;
  uvs: Float32Array | null;
  normals: Float32Array | null;
}

/**
 * Reads a GLB (ours, or FAL's with Draco or meshopt compression, several meshes and node
 * transforms) into one triangle list: every triangle primitive of every node of the default scene,
 * with its world transform baked in. Points, lines and strips are skipped (no printable surface).
 *
 * @example
 * const mesh = await readModel(glb);
 * console.log(mesh.indices.length / 3, 'triangles');
 */
export async function readModel(glb: Uint8Array): Promise<ModelMesh> {
  const document = await (await reader()).readBinary(glb);
  const parts: Part[] = [];
  let texture: ModelTexture | undefined;
  for (const node of sceneNodes(document)) {
    const mesh = node.getMesh();
    if (!mesh) continue;
    const matrix = Array.from(node.getWorldMatrix()) as Matrix4;
    for (const primitive of mesh.listPrimitives()) {
      if (primitive.getMode() !== Primitive.Mode.TRIANGLES) continue;
      const part = readPrimitive(primitive, matrix);
      if (part) parts.push(part);
      texture ??= baseColorTexture(primitive);
    }
  }
  if (parts.length === 0) throw new Error('the GLB holds no triangle mesh');
  return { ...merge(parts), ...(texture ? { texture } : {}) };
}

/** Every node of the default scene (or the first scene), parents before children. */
function sceneNodes(document: Document): Node[] {
  const root = document.getRoot();
  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  if (!scene) return root.listNodes();
  const nodes: Node[] = [];
  scene.traverse((node) => nodes.push(node));
  return nodes;
}

function readPrimitive(primitive: Primitive, matrix: Matrix4): Part | null {
  const position = primitive.getAttribute('POSITION');
  if (!position || position.getCount() === 0) return null;
  const count = position.getCount();
  const indexArray = primitive.getIndices()?.getArray();
  let indices = indexArray ? Uint32Array.from(indexArray) : sequential(count);
  indices = indices.subarray(0, indices.length - (indices.length % 3));
  const normalsOf = primitive.getAttribute('NORMAL');
  const uvsOf = primitive.getAttribute('TEXCOORD_0');
  const normalTransform = normalMatrix(matrix);
  // A mirroring transform turns counter-clockwise faces clockwise: swap two corners back.
  if (normalTransform.mirrored) indices = reverseWinding(indices);
  return {
    positions: transformPoints(readFloats(position), matrix),
    indices,
    uvs: uvsOf ? readFloats(uvsOf) : null,
    normals: normalsOf ? transformDirections(readFloats(normalsOf), normalTransform.matrix) : null,
  };
}

function baseColorTexture(primitive: Primitive): ModelTexture | undefined {
  const texture = primitive.getMaterial()?.getBaseColorTexture();
  const bytes = texture?.getImage();
  if (!texture || !bytes) return undefined;
  return { bytes: new Uint8Array(bytes), mimeType: texture.getMimeType() || 'image/png' };
}

/** Denormalises quantised attributes; plain float data is copied as is. */
function readFloats(accessor: Accessor): Float32Array {
  const array = accessor.getArray();
  if (array instanceof Float32Array && !accessor.getNormalized()) return Float32Array.from(array);
  const size = accessor.getElementSize();
  const values = new Float32Array(accessor.getCount() * size);
  const element: number[] = [];
  for (let i = 0; i < accessor.getCount(); i++) values.set(accessor.getElement(i, element), i * size);
  return values;
}

/** Concatenates the parts; a part without UVs or normals gets zeros where others have them. */
function merge(parts: Part[]): Omit<ModelMesh, 'texture'> {
  const vertexCount = parts.reduce((sum, part) => sum + part.positions.length / 3, 0);
  const indexCount = parts.reduce((sum, part) => sum + part.indices.length, 0);
  const positions = new Float32Array(vertexCount * 3);
  const indices = new Uint32Array(indexCount);
  const uvs = parts.some((part) => part.uvs) ? new Float32Array(vertexCount * 2) : null;
  const normals = parts.some((part) => part.normals) ? new Float32Array(vertexCount * 3) : null;
  let vertexBase = 0;
  let indexBase = 0;
  for (const part of parts) {
    positions.set(part.positions, vertexBase * 3);
    if (uvs && part.uvs) uvs.set(part.uvs, vertexBase * 2);
    if (normals && part.normals) normals.set(part.normals, vertexBase * 3);
    for (let i = 0; i < part.indices.length; i++) indices[indexBase + i] = part.indices[i]! + vertexBase;
    vertexBase += part.positions.length / 3;
    indexBase += part.indices.length;
  }
  return { positions, indices, ...(uvs ? { uvs } : {}), ...(normals ? { normals } : {}) };
}

function reverseWinding(indices: Uint32Array): Uint32Array {
  const out = Uint32Array.from(indices);
  for (let i = 0; i + 2 < out.length; i += 3) {
    out[i + 1] = indices[i + 2]!;
    out[i + 2] = indices[i + 1]!;
  }
  return out;
}

function sequential(count: number): Uint32Array {
  const indices = new Uint32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  return indices;
}
