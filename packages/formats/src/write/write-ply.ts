import type { ModelMesh } from '../model-mesh.js';

/**
 * Binary little-endian PLY: x y z (metres, Y up), nx ny nz when the GLB has normals, s t when it
 * has texture coordinates (V written as 1 − v: PLY's texture origin is the bottom-left), and the
 * triangles as `vertex_indices` lists. PLY has no way to carry the texture image itself.
 */
export function writePly(mesh: ModelMesh): Uint8Array {
  const { positions, indices, uvs, normals } = mesh;
  const vertexCount = positions.length / 3;
  const faceCount = Math.floor(indices.length / 3);
  const properties = ['x', 'y', 'z', ...(normals ? ['nx', 'ny', 'nz'] : []), ...(uvs ? ['s', 't'] : [])];
  const header = [
    'ply',
    'format binary_little_endian 1.0',
    'comment image2model',
    `element vertex ${vertexCount}`,
    ...properties.map((name) => `property float ${name}`),
    `element face ${faceCount}`,
    'property list uchar uint vertex_indices',
    'end_header',
    '',
  ].join('\n');
  const headerBytes = new TextEncoder().encode(header);
  const vertexBytes = properties.length * 4;
  const bytes = new Uint8Array(headerBytes.length + vertexCount * vertexBytes + faceCount * 13);
  bytes.set(headerBytes);
  const view = new DataView(bytes.buffer);
  let offset = headerBytes.length;
  const put = (value: number): void => {
    view.setFloat32(offset, value, true);
    offset += 4;
  };
  for (let v = 0; v < vertexCount; v++) {
    put(positions[v * 3]!);
    put(positions[v * 3 + 1]!);
    put(positions[v * 3 + 2]!);
    if (normals) {
      put(normals[v * 3]!);
      put(normals[v * 3 + 1]!);
      put(normals[v * 3 + 2]!);
    }
    if (uvs) {
      put(uvs[v * 2]!);
      put(1 - uvs[v * 2 + 1]!);
    }
  }
  for (let t = 0; t < faceCount; t++) {
    view.setUint8(offset, 3);
    view.setUint32(offset + 1, indices[t * 3]!, true);
    view.setUint32(offset + 5, indices[t * 3 + 1]!, true);
    view.setUint32(offset + 9, indices[t * 3 + 2]!, true);
    offset += 13;
  }
  return bytes;
}
