import sharp from 'sharp';

import { computeBoundingSphere, createPreviewCamera } from './camera.js';
import { SRGB_TO_LINEAR } from './colour-space.js';
import { DEFAULT_LIGHTING } from './lighting.js';
import { projectVertices } from './project-vertices.js';
import { createRasterTarget, rasterizeTriangles } from './rasterize.js';
import { resolveSupersampling } from './resolve-supersampling.js';
import type { PreviewTexture } from './sample-texture.js';
import { shadeSamples } from './shade-samples.js';
import { validatePreviewMesh } from './validate-preview-mesh.js';
import { computeVertexNormals } from './vertex-normals.js';

export type { PreviewTexture } from './sample-texture.js';

/** A textured triangle mesh in glTF conventions, as the generator builds it or a GLB holds it. */
export interface PreviewMesh {
  /** xyz per vertex, Y up, metres; roughly centred, longest side ~1 (any size is framed). */
  positions: Float32Array;
  /** Triangles, counter-clockwise front faces (glTF convention). */
  indices: Uint32Array;
  /** uv per vertex; (0, 0) is the texture image's top-left corner (glTF, v not flipped). */
  uvs: Float32Array;
  /** RGBA8, rows top to bottom; alpha is ignored. */
  texture: PreviewTexture;
}

export interface RenderPreviewOptions {
  /** Width and height of the square PNG in pixels. @default 256 */
  size?: number;
  /** Turns the model's front (+Z) towards the viewer's right by this angle about +Y. @default 35 */
  yawDegrees?: number;
  /** Looks down on the model from this angle above the horizon. @default 10 */
  pitchDegrees?: number;
  /** sRGB background colour, 0–255 per channel. @default [225, 228, 235] */
  background?: [number, number, number];
}

/** The light grey-blue of the design target's gallery. */
export const DEFAULT_PREVIEW_BACKGROUND: [number, number, number] = [225, 228, 235];

/** Render at 2× and box-filter down: 4 samples per pixel is enough for clean silhouettes. */
const SUPERSAMPLING = 2;
const MAX_SIZE = 4096;

/**
 * Renders a shaded, textured preview of a mesh to PNG bytes, on the CPU. Deterministic: the same
 * mesh and options always give the same bytes.
 *
 * @example
 * const png = await renderPreview(mesh, { yawDegrees: 90 });
 */
export async function renderPreview(mesh: PreviewMesh, options: RenderPreviewOptions = {}): Promise<Buffer> {
  const size = options.size ?? 256;
  const { pixels } = renderPreviewPixels(mesh, options);
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: true })
    .toBuffer();
}

/** The synchronous core of `renderPreview`: sRGB8 RGB pixels, row-major, `size`×`size`. */
function renderPreviewPixels(mesh: PreviewMesh, options: RenderPreviewOptions = {}): { pixels: Uint8Array; size: number } {
  const size = options.size ?? 256;
  if (!Number.isInteger(size) || size < 1 || size > MAX_SIZE) {
    throw new RangeError(`size must be an integer from 1 to ${MAX_SIZE}, got ${size}`);
  }
  const yawDegrees = options.yawDegrees ?? 35;
  const pitchDegrees = options.pitchDegrees ?? 10;
  // A NaN angle would silently drop every triangle and return a blank image.
  if (!Number.isFinite(yawDegrees)) throw new RangeError(`yawDegrees must be finite, got ${yawDegrees}`);
  if (!Number.isFinite(pitchDegrees)) throw new RangeError(`pitchDegrees must be finite, got ${pitchDegrees}`);
  validatePreviewMesh(mesh);
  const sampleSize = size * SUPERSAMPLING;
  const camera = createPreviewCamera({
    sphere: computeBoundingSphere(mesh.positions),
    sizePixels: sampleSize,
    yawDegrees,
    pitchDegrees,
  });
  const normals = computeVertexNormals(mesh.positions, mesh.indices);
  const projected = projectVertices(mesh.positions, normals, camera);
  const target = createRasterTarget(sampleSize, sampleSize);
  rasterizeTriangles(target, projected, mesh.indices);
  const samples = new Float32Array(sampleSize * sampleSize * 3);
  shadeSamples(
    {
      target,
      indices: mesh.indices,
      uvs: mesh.uvs,
      viewNormals: projected.viewNormals,
      texture: mesh.texture,
      lighting: DEFAULT_LIGHTING,
      background: decodeBackground(options.background ?? DEFAULT_PREVIEW_BACKGROUND),
    },
    samples,
  );
  return { pixels: resolveSupersampling({ samples, sampleWidth: sampleSize, factor: SUPERSAMPLING }), size };
}

function decodeBackground(rgb: [number, number, number]): Float32Array {
  return Float32Array.from(rgb, (channel) => {
    const code = Math.round(channel);
    if (!(code >= 0 && code <= 255)) throw new RangeError(`background channels must be 0–255, got ${channel}`);
    return SRGB_TO_LINEAR[code]!;
  });
}
