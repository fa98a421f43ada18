import type { ModelMesh, ModelTexture } from '@image2model/formats';
import type { PreviewMesh } from '@image2model/mesh/preview';
import sharp from 'sharp';

type PreviewTexture = PreviewMesh['texture'];

/**
 * A model as `readModel` returns it, made drawable by the preview renderer: its texture decoded to
 * RGBA8 (1×1 white, glTF's default base colour, when it has none) and zero UVs when it has none.
 * Both sides use glTF's conventions (Y up, counter-clockwise faces, v = 0 at the image's top), so
 * positions, indices and UVs pass through unchanged.
 * The material's baseColorFactor is not applied: ModelMesh does not carry it (no format writer
 * uses it) and the generator whose models the docs render writes none.
 *
 * @example
 * const png = await renderPreview(await previewMeshFromModel(await readModel(glb)));
 */
export async function previewMeshFromModel(model: ModelMesh): Promise<PreviewMesh> {
  return {
    positions: model.positions,
    indices: model.indices,
    uvs: model.uvs ?? new Float32Array((model.positions.length / 3) * 2),
    texture: model.texture ? await decodeTexture(model.texture) : { data: new Uint8Array([255, 255, 255, 255]), width: 1, height: 1 },
  };
}

async function decodeTexture(texture: ModelTexture): Promise<PreviewTexture> {
  // The renderer samples 8-bit sRGB RGBA, whatever the image holds (grey, a palette, 16 bits, CMYK).
  const { data, info } = await sharp(texture.bytes)
    .toColourspace('srgb')
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
