import type { PreviewLighting } from './lighting.js';
import type { RasterTarget } from './rasterize.js';
import { sampleTextureLinear, type PreviewTexture } from './sample-texture.js';

export interface ShadeInput {
  target: RasterTarget;
  indices: Uint32Array;
  uvs: Float32Array;
  viewNormals: Float32Array;
  texture: PreviewTexture;
  lighting: PreviewLighting;
  /** Linear RGB of empty samples. */
  background: Float32Array;
}

/** Highlight exponent; applied by repeated squaring, so it must be a power of two. */
const SHININESS_SQUARINGS = 5; // 2^5 = 32

/**
 * Shades every sample of the visibility buffer into `out` (linear RGB, 3 floats per sample):
 * texture × (hemisphere ambient + Lambert key) + a Blinn–Phong highlight.
 */
export function shadeSamples(input: ShadeInput, out: Float32Array): void {
  const { target, indices, uvs, viewNormals, texture, lighting, background } = input;
  const { triangle, weight0, weight1, backFacing } = target;
  const [lx, ly, lz] = lighting.key;
  const [hx, hy, hz] = lighting.half;
  const { keyIntensity, skyAmbient, groundAmbient, specular } = lighting;
  const ambientMid = (skyAmbient + groundAmbient) / 2;
  const ambientSlope = (skyAmbient - groundAmbient) / 2;
  const albedo = new Float32Array(3);
  const sampleCount = target.width * target.height;
  for (let p = 0; p < sampleCount; p++) {
    const o = p * 3;
    const t = triangle[p]!;
    if (t < 0) {
      out[o] = background[0]!;
      out[o + 1] = background[1]!;
      out[o + 2] = background[2]!;
      continue;
    }
    const a = indices[3 * t]!, b = indices[3 * t + 1]!, c = indices[3 * t + 2]!;
    const w0 = weight0[p]!, w1 = weight1[p]!, w2 = 1 - w0 - w1;
    const u = uvs[2 * a]! * w0 + uvs[2 * b]! * w1 + uvs[2 * c]! * w2;
    const v = uvs[2 * a + 1]! * w0 + uvs[2 * b + 1]! * w1 + uvs[2 * c + 1]! * w2;
    sampleTextureLinear(texture, u, v, albedo);
    let nx = viewNormals[3 * a]! * w0 + viewNormals[3 * b]! * w1 + viewNormals[3 * c]! * w2;
    let ny = viewNormals[3 * a + 1]! * w0 + viewNormals[3 * b + 1]! * w1 + viewNormals[3 * c + 1]! * w2;
    let nz = viewNormals[3 * a + 2]! * w0 + viewNormals[3 * b + 2]! * w1 + viewNormals[3 * c + 2]! * w2;
    const length = Math.sqrt(nx * nx + ny * ny + nz * nz);
    // Two-sided lighting: seen from behind, a surface is lit as if its normal pointed at us.
    const scale = length > 0 ? (backFacing[p] === 1 ? -1 : 1) / length : 0;
    nx *= scale;
    ny *= scale;
    nz = length > 0 ? nz * scale : 1;
    const diffuse = nx * lx + ny * ly + nz * lz;
    const lambert = diffuse > 0 ? diffuse * keyIntensity : 0;
    const light = ambientMid + ambientSlope * ny + lambert;
    let highlight = 0;
    if (diffuse > 0) {
      const nh = nx * hx + ny * hy + nz * hz;
      if (nh > 0) {
        highlight = nh;
        for (let i = 0; i < SHININESS_SQUARINGS; i++) highlight *= highlight;
        highlight *= specular;
      }
    }
    out[o] = albedo[0]! * light + highlight;
    out[o + 1] = albedo[1]! * light + highlight;
    out[o + 2] = albedo[2]! * light + highlight;
  }
}
