import { NodeIO } from '@gltf-transform/core';
import sharp from 'sharp';

export interface GlbMesh {
  positions: Float32Array;
  normals: Float32Array;
  uvs: Float32Array;
  indices: Uint32Array;
  texture: { data: Uint8Array; width: number; height: number; mimeType: string };
}

/** The single textured primitive a generated GLB holds, with its texture decoded to RGBA. */
export async function readGlbMesh(glb: Uint8Array): Promise<GlbMesh> {
  const document = await new NodeIO().readBinary(new Uint8Array(glb));
  const meshes = document.getRoot().listMeshes();
  const primitive = meshes[0]?.listPrimitives()[0];
  if (meshes.length !== 1 || !primitive) throw new Error(`expected one mesh with one primitive, got ${meshes.length} meshes`);
  const attribute = (name: string): Float32Array => {
    const array = primitive.getAttribute(name)?.getArray();
    if (!(array instanceof Float32Array)) throw new Error(`missing float attribute ${name}`);
    return array;
  };
  const texture = primitive.getMaterial()?.getBaseColorTexture();
  const image = texture?.getImage();
  if (!texture || !image) throw new Error('missing base colour texture');
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    positions: attribute('POSITION'),
    normals: attribute('NORMAL'),
    uvs: attribute('TEXCOORD_0'),
    indices: Uint32Array.from(primitive.getIndices()?.getArray() ?? []),
    texture: { data: new Uint8Array(data), width: info.width, height: info.height, mimeType: texture.getMimeType() },
  };
}
