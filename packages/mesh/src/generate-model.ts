import { computeHeight } from './field/compute-height.js';
import type { MultiviewWarningCode } from './multiview/view-agreement.js';
import { detectRevolvedBody } from './field/revolved-body.js';
import { computeSignedDistance } from './field/signed-distance.js';
import { resolveGenerateOptions, type GenerateOptions, type ResolvedOptions } from './generate-options.js';
import { buildSurface } from './geometry/build-surface.js';
import { placeModel } from './geometry/place-model.js';
import { fieldMargin } from './geometry/plan-grid.js';
import { simplifierReady } from './geometry/simplify-mesh.js';
import { packModel } from './gltf/pack-model.js';
import { decodePhoto } from './image/decode-photo.js';
import { findMaskBounds } from './mask/mask-bounds.js';
import { segmentObject, type Segmentation, type SegmentationCode } from './mask/segment-object.js';
import { withScratchMemory } from './memory/scratch-memory.js';
import { createProgressTracker } from './progress-tracker.js';
import { buildTexture } from './texture/build-texture.js';
import { textureRect, trustedPixels } from './texture/texture-region.js';

export interface GenerateStats {
  triangles: number;
  vertices: number;
  /** The input's size in pixels, upright. */
  width: number;
  height: number;
  /** Share of the (working-size) photo taken by the object: 1 for a card. */
  mask_coverage: number;
  method: string;
  fallback: 'none' | 'card';
  /** How the depth was made: a surface of revolution, an inflated silhouette, or the flat card. */
  shape: ModelShape;
  timings_ms: Record<string, number>;
}

export type ModelShape = 'revolved' | 'inflated' | 'card';

/**
 * What the user should know about how the model was made, with a stable code: why it is a card
 * (the segmentation's codes), that its back is a guess (`SYMMETRY_ASSUMED`), or that the face
 * limit only allowed a low-poly lens (`LOW_POLY_FALLBACK`); for several views, that they disagree
 * (`VIEWS_DISAGREE`) or that no side view could be used (`SIDE_VIEW_NOT_SEPARATED`).
 */
export type GenerateWarningCode = SegmentationCode | 'SYMMETRY_ASSUMED' | 'LOW_POLY_FALLBACK' | MultiviewWarningCode;

export interface GenerateWarning {
  code: GenerateWarningCode;
  message: string;
}

export interface GenerateResult {
  glb: Buffer;
  preview?: Buffer;
  stats: GenerateStats;
  warnings: GenerateWarning[];
  /** How the object was separated, how sure that is, and the coded reasons for a card. */
  segmentation: Pick<Segmentation, 'method' | 'confidence' | 'warnings'>;
}

export const SYMMETRY_ASSUMED: GenerateWarning = {
  code: 'SYMMETRY_ASSUMED',
  message: 'The outline looks like a solid of revolution (a bottle, a vase, a mug); made it round, with the back a mirror of the front',
};

/**
 * Turns one photo into a textured, closed GLB model by two-sided silhouette inflation: decode,
 * separate the object from its background, inflate its silhouette (Puffball or Poisson), mesh
 * and simplify within `face_limit`, texture from the photo, pack, and render a preview.
 * Deterministic: the same photo and options always give the same GLB bytes.
 *
 * @example
 * const { glb, preview, warnings } = await generateModel(await readFile('mug.jpg'), { face_limit: 5_000 });
 */
export async function generateModel(image: Buffer, options: GenerateOptions = {}): Promise<GenerateResult> {
  const settings = resolveGenerateOptions(options);
  return withScratchMemory(() => generate(image, settings));
}

async function generate(image: Buffer, settings: ResolvedOptions): Promise<GenerateResult> {
  const progress = createProgressTracker(settings.onProgress);
  progress.start('decoding', 0);
  const [photo] = await Promise.all([decodePhoto(image), simplifierReady]);
  const { width, height } = photo.image;

  progress.start('segmenting', 10);
  const segmentation = await segmentObject(photo.image);
  const card = segmentation.fallback === 'card';

  progress.start('inflating', 25);
  const imageLongSide = Math.max(width, height);
  const bounds = findMaskBounds(segmentation.mask, width, height);
  const field = computeSignedDistance(segmentation.mask, photo.image, { bounds, margin: fieldMargin(imageLongSide) });
  const body = card ? null : detectRevolvedBody(segmentation.mask, width, bounds);
  const shortSide = Math.min(bounds.maxX - bounds.minX, bounds.maxY - bounds.minY) + 1;
  const heights = computeHeight(field, { method: settings.method, inflation: settings.inflation, card, body, imageLongSide, shortSide });

  progress.start('meshing', 40);
  const surface = buildSurface({ field, heights, bounds, imageLongSide, faceLimit: settings.faceLimit });

  progress.start('texturing', 65);
  const rect = textureRect(bounds, width, height);
  const texture = await buildTexture(photo.image, trustedPixels(field, segmentation.mask, { image: photo.image, card }), rect, settings.textureSize);

  progress.start('packing', 80);
  const model = placeModel(surface.mesh, rect);
  const { glb, preview } = await packModel(model, texture, settings.previewSize, progress);
  progress.finish();

  // The low-poly lens replaces whatever body was planned: a revolved outline is then no longer round.
  const lens = surface.route === 'lens';
  const shape: ModelShape = card ? 'card' : body && !lens ? 'revolved' : 'inflated';
  const warnings: GenerateWarning[] = [...segmentation.warnings];
  if (shape === 'revolved') warnings.push(SYMMETRY_ASSUMED);
  if (lens) {
    warnings.push({ code: 'LOW_POLY_FALLBACK', message: `face_limit ${settings.faceLimit} is too small for this shape; made a simple low-poly model` });
  }
  return {
    glb,
    ...(preview ? { preview } : {}),
    warnings,
    segmentation: { method: segmentation.method, confidence: segmentation.confidence, warnings: segmentation.warnings },
    stats: {
      triangles: model.indices.length / 3,
      vertices: model.positions.length / 3,
      width: photo.sourceWidth,
      height: photo.sourceHeight,
      mask_coverage: segmentation.coverage,
      method: settings.method,
      fallback: segmentation.fallback,
      shape,
      timings_ms: progress.timings,
    },
  };
}
