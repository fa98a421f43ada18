import { NodeIO, Primitive, type Accessor, type Document, type Mesh } from '@gltf-transform/core';

import { readBaseColourTexture } from './read-base-colour-texture.js';
import type { PreviewMesh } from './render-preview.js';

/**
 * Reads the first triangle primitive of a GLB (what our generator writes: one mesh, one primitive,
 * POSITION / TEXCOORD_0 / indices, a JPEG or PNG baseColorTexture) into a `PreviewMesh`. Positions
 * are moved into world space by the node that holds the mesh, so a GLB from another tool that
 * scales or turns its mesh still previews the right way up. NORMAL is ignored: the renderer
 * computes its own, so every source is shaded alike.
 *
 * @example
 * const png = await renderPreview(await readGlbAsPreviewMesh(glb));
 */
export async function readGlbAsPreviewMesh(glb: Uint8Array): Promise<PreviewMesh> {
  const document = await new NodeIO().readBinary(glb);
  const { mesh, primitive } = findTrianglePrimitive(document);
  const position = primitive.getAttribute('POSITION');
  if (!position) throw new Error('the GLB primitive has no POSITION attribute');
  const vertexCount = position.getCount();
  let positions = readFloats(position);
  const indices = primitive.getIndices()?.getArray();
  let triangleIndices = indices ? Uint32Array.from(indices) : sequentialIndices(vertexCount);
  const matrix = findWorldMatrix(document, mesh);
  if (matrix) {
    positions = transformPoints(positions, matrix);
    // glTF: a mirroring transform turns counter-clockwise faces clockwise, so swap two corners back.
    if (determinant3(matrix) < 0) triangleIndices = reverseWinding(triangleIndices);
  }
  const texcoord = primitive.getAttribute('TEXCOORD_0');
  return {
    positions,
    indices: triangleIndices,
    uvs: texcoord ? readFloats(texcoord) : new Float32Array(vertexCount * 2),
    texture: await readBaseColourTexture(primitive.getMaterial()),
  };
}

function findTrianglePrimitive(document: Document): { mesh: Mesh; primitive: Primitive } {
  for (const mesh of document.getRoot().listMeshes()) {
    for (const primitive of mesh.listPrimitives()) {
      if (primitive.getMode() === Primitive.Mode.TRIANGLES) return { mesh, primitive };
    }
  }
  throw new Error('the GLB holds no triangle mesh');
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

/** The world matrix of the first node that shows the mesh, or null when it is the identity. */
function findWorldMatrix(document: Document, mesh: Mesh): number[] | null {
  const node = document.getRoot().listNodes().find((candidate) => candidate.getMesh() === mesh);
  const matrix = node ? Array.from(node.getWorldMatrix()) : null;
  const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  return matrix && matrix.some((value, i) => value !== identity[i]) ? matrix : null;
}

/** `m` is column-major, as glTF stores it. */
function transformPoints(positions: Float32Array, m: number[]): Float32Array {
  const out = new Float32Array(positions.length);
  for (let i = 0; i < positions.length; i += 3) {
    const x = positions[i]!, y = positions[i + 1]!, z = positions[i + 2]!;
    out[i] = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
    out[i + 1] = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
    out[i + 2] = m[2]! * x + m[6]! * y + m[10]! * z + m[14]!;
  }
  return out;
}

function determinant3(m: number[]): number {
  return (
    m[0]! * (m[5]! * m[10]! - m[9]! * m[6]!) -
    m[4]! * (m[1]! * m[10]! - m[9]! * m[2]!) +
    m[8]! * (m[1]! * m[6]! - m[5]! * m[2]!)
  );
}

function reverseWinding(indices: Uint32Array): Uint32Array {
  const out = Uint32Array.from(indices);
  for (let i = 0; i + 2 < out.length; i += 3) {
    out[i + 1] = indices[i + 2]!;
    out[i + 2] = indices[i + 1]!;
  }
  return out;
}

function sequentialIndices(count: number): Uint32Array {
  const indices = new Uint32Array(count - (count % 3));
  for (let i = 0; i < indices.length; i++) indices[i] = i;
  return indices;
}
