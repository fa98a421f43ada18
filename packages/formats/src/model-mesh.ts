/** A model as one triangle list: what every writer takes, in glTF's frame (Y up, metres). */
export interface ModelMesh {
  /** x, y, z per vertex, in metres, Y up, world transforms applied. */
  positions: Float32Array;
  /** Three vertex indices per triangle, counter-clockwise seen from outside. */
  indices: Uint32Array;
  /** u, v per vertex in glTF's convention (v = 0 at the top of the image); absent when no primitive had TEXCOORD_0. */
  uvs?: Float32Array;
  /** Unit normals per vertex, world space; absent when no primitive had NORMAL. */
  normals?: Float32Array;
  /** The base-color texture of the first material that has one. */
  texture?: ModelTexture;
}

export interface ModelTexture {
  bytes: Uint8Array;
  /** `image/png` or `image/jpeg` (whatever the GLB holds). */
  mimeType: string;
}

/** The file extension a texture is written under. */
export function textureExtension(texture: ModelTexture): string {
  if (texture.mimeType === 'image/jpeg') return 'jpg';
  if (texture.mimeType === 'image/webp') return 'webp';
  return 'png';
}
