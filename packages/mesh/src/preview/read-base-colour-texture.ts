import type { Material } from '@gltf-transform/core';
import sharp from 'sharp';

import { encodeSrgb, SRGB_TO_LINEAR } from './colour-space.js';
import type { PreviewTexture } from './sample-texture.js';

/**
 * The material's base colour as an RGBA8 texture: the decoded baseColorTexture (JPEG, PNG or
 * anything else sharp reads) times baseColorFactor, or a 1×1 texture of the factor alone. The
 * factor is linear and the image sRGB, so they are multiplied in linear light, as a glTF viewer does.
 */
export async function readBaseColourTexture(material: Material | null): Promise<PreviewTexture> {
  const factor = material?.getBaseColorFactor() ?? [1, 1, 1, 1];
  const image = material?.getBaseColorTexture()?.getImage();
  if (!image) {
    const data = new Uint8Array([encodeSrgb(factor[0]), encodeSrgb(factor[1]), encodeSrgb(factor[2]), 255]);
    return { data, width: 1, height: 1 };
  }
  // Grey, palette and 16-bit PNGs all come out as 8-bit RGBA.
  const { data, info } = await sharp(image)
    .toColourspace('srgb')
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const texture = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  if (factor[0] !== 1 || factor[1] !== 1 || factor[2] !== 1) applyColourFactor(texture.data, factor);
  return texture;
}

function applyColourFactor(data: Uint8Array, factor: readonly number[]): void {
  for (let i = 0; i < data.length; i += 4) {
    for (let c = 0; c < 3; c++) data[i + c] = encodeSrgb(SRGB_TO_LINEAR[data[i + c]!]! * factor[c]!);
  }
}
