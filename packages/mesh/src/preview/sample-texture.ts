import { SRGB_TO_LINEAR } from './colour-space.js';

export interface PreviewTexture {
  /** RGBA8, rows top to bottom. */
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Bilinear sample at glTF UV (u, v), (0, 0) being the image's top-left corner, written to
 * `out[0..2]` as linear RGB. Coordinates are clamped rather than wrapped: our textures are atlases
 * of a cropped photo, and wrapping would bleed the opposite edge into the rim. Texels are blended
 * after decoding to linear, so dark-on-light detail keeps its weight. Unrolled by hand: this runs
 * for every covered sample and is most of the shading cost.
 */
export function sampleTextureLinear(texture: PreviewTexture, u: number, v: number, out: Float32Array): void {
  const { data, width, height } = texture;
  // `|| 0` turns NaN UVs (a broken mesh) into texel 0 instead of an out-of-bounds read.
  const fx = u * width - 0.5 || 0;
  const fy = v * height - 0.5 || 0;
  let x0 = Math.floor(fx), y0 = Math.floor(fy);
  const tx = fx - x0, ty = fy - y0;
  let x1 = x0 + 1, y1 = y0 + 1;
  const lastX = width - 1, lastY = height - 1;
  if (x0 < 0) x0 = 0; else if (x0 > lastX) x0 = lastX;
  if (x1 < 0) x1 = 0; else if (x1 > lastX) x1 = lastX;
  if (y0 < 0) y0 = 0; else if (y0 > lastY) y0 = lastY;
  if (y1 < 0) y1 = 0; else if (y1 > lastY) y1 = lastY;
  const i00 = (y0 * width + x0) * 4, i10 = (y0 * width + x1) * 4;
  const i01 = (y1 * width + x0) * 4, i11 = (y1 * width + x1) * 4;
  const w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty;
  const lut = SRGB_TO_LINEAR;
  out[0] = lut[data[i00]!]! * w00 + lut[data[i10]!]! * w10 + lut[data[i01]!]! * w01 + lut[data[i11]!]! * w11;
  out[1] = lut[data[i00 + 1]!]! * w00 + lut[data[i10 + 1]!]! * w10 + lut[data[i01 + 1]!]! * w01 + lut[data[i11 + 1]!]! * w11;
  out[2] = lut[data[i00 + 2]!]! * w00 + lut[data[i10 + 2]!]! * w10 + lut[data[i01 + 2]!]! * w01 + lut[data[i11 + 2]!]! * w11;
}
