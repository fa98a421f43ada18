import { Document, NodeIO } from '@gltf-transform/core';

/** A closed, textured UV sphere of about `triangles` triangles (a quick stand-in for a large model). */
export async function sphereGlb(triangles: number): Promise<Uint8Array> {
  const rings = Math.max(3, Math.round(Math.sqrt(triangles / 4)));
  const segments = rings * 2;
  const positions: number[] = [];
  const uvs: number[] = [];
  for (let r = 0; r <= rings; r++) {
    for (let s = 0; s <= segments; s++) {
      const theta = (r / rings) * Math.PI, phi = (s / segments) * 2 * Math.PI;
      positions.push(0.5 * Math.sin(theta) * Math.cos(phi), 0.5 * Math.cos(theta), 0.5 * Math.sin(theta) * Math.sin(phi));
      uvs.push(s / segments, r / rings);
    }
  }
  const indices: number[] = [];
  const at = (r: number, s: number): number => r * (segments + 1) + s;
  for (let r = 0; r < rings; r++) {
    for (let s = 0; s < segments; s++) {
      if (r > 0) indices.push(at(r, s), at(r, s + 1), at(r + 1, s));
      if (r < rings - 1) indices.push(at(r, s + 1), at(r + 1, s + 1), at(r + 1, s));
    }
  }
  const document = new Document();
  const buffer = document.createBuffer();
  const primitive = document
    .createPrimitive()
    .setAttribute('POSITION', document.createAccessor().setType('VEC3').setArray(new Float32Array(positions)).setBuffer(buffer))
    .setAttribute('TEXCOORD_0', document.createAccessor().setType('VEC2').setArray(new Float32Array(uvs)).setBuffer(buffer))
    .setIndices(document.createAccessor().setType('SCALAR').setArray(new Uint32Array(indices)).setBuffer(buffer));
  document.createScene().addChild(document.createNode().setMesh(document.createMesh().addPrimitive(primitive)));
  return new NodeIO().writeBinary(document);
}
