import { generateModel, type GenerateResult, type GenerateStats, type GenerateWarning, type ModelShape } from '../generate-model.js';
import { resolveGenerateOptions, type GenerateOptions, type ResolvedOptions } from '../generate-options.js';
import { simplifierReady } from '../geometry/simplify-mesh.js';
import { packModel } from '../gltf/pack-model.js';
import { decodePhoto, type DecodedPhoto } from '../image/decode-photo.js';
import { findMaskBounds } from '../mask/mask-bounds.js';
import { segmentObject, type Segmentation } from '../mask/segment-object.js';
import { withScratchMemory } from '../memory/scratch-memory.js';
import { createProgressTracker } from '../progress-tracker.js';
import { bakeTexture } from './bake-texture.js';
import { meshHull } from './mesh-hull.js';
import { placeHull } from './place-hull.js';
import { requireSideView } from './require-side-view.js';
import { halfWidth, placeView, standInView, type PlacedView } from './placed-view.js';
import { unwrapCylinder } from './unwrap-cylinder.js';
import { checkViewAgreement } from './view-agreement.js';
import { OPPOSITE_VIEW, VIEW_NAMES, type ViewName } from './view-cameras.js';

/** Photos of one object from up to four sides (JPEG or PNG bytes); the front and a side are needed. */
export interface MultiviewImages {
  front: Buffer;
  left?: Buffer;
  right?: Buffer;
  back?: Buffer;
}

export interface MultiviewStats extends Omit<GenerateStats, 'shape'> {
  /** `hull` when carved from the views; what the front alone gave when no side view could be used. */
  shape: ModelShape | 'hull';
  /** The views the hull was carved from (photos given and separated from their background). */
  views: ViewName[];
}

export interface MultiviewResult extends Omit<GenerateResult, 'stats'> {
  stats: MultiviewStats;
}

/**
 * One textured, closed GLB model from photos of an object's front, sides and back, by a visual
 * hull: each view is separated from its background as a single photo is, the views are aligned
 * by their silhouettes' vertical extents, the volume every silhouette allows is carved and its
 * cross-sections rounded, meshed within `face_limit`, and textured from every view. A missing
 * back is the front mirrored, a missing side the other side mirrored. Options as generateModel's
 * (`inflation` rounds the cross-sections: 1 makes a square one round; `method` does not apply).
 * Deterministic: the same photos and options always give the same bytes.
 *
 * @example
 * const { glb } = await generateMultiviewModel({ front, left, back }, { face_limit: 5_000 });
 */
export async function generateMultiviewModel(images: MultiviewImages, options: GenerateOptions = {}): Promise<MultiviewResult> {
  const settings = resolveGenerateOptions(options);
  requireSideView(images);
  return withScratchMemory(() => generate(images, settings, options));
}

async function generate(images: MultiviewImages, settings: ResolvedOptions, options: GenerateOptions): Promise<MultiviewResult> {
  const progress = createProgressTracker(settings.onProgress);
  progress.start('decoding', 0);
  const given = VIEW_NAMES.filter((name) => images[name]);
  const [photos] = await Promise.all([Promise.all(given.map((name) => decodePhoto(images[name]!))), simplifierReady]);

  progress.start('segmenting', 10);
  const separated: { name: ViewName; photo: DecodedPhoto; segmentation: Segmentation }[] = [];
  for (const [index, name] of given.entries()) {
    const photo = photos[index]!;
    separated.push({ name, photo, segmentation: await segmentApart(photo) });
  }
  const warnings: GenerateWarning[] = separated.flatMap(({ name, segmentation }) => segmentation.warnings.map((warning) => ({ code: warning.code, message: `${name} view: ${warning.message}` })));
  const usable = separated.filter(({ segmentation }) => segmentation.fallback === 'none');
  const front = separated[0]!;
  if (!usable.some(({ name }) => name === 'front') || !usable.some(({ name }) => name === 'left' || name === 'right')) {
    return fromFrontAlone(images.front, options, warnings);
  }

  progress.start('carving', 30);
  const views = completeViews(
    usable.map(({ name, photo, segmentation }) => placeView(name, photo.image, segmentation.mask, findMaskBounds(segmentation.mask, photo.image.width, photo.image.height))),
  );
  const halfX = Math.max(...views.filter((view) => view.axis === 'x').map(halfWidth));
  const halfZ = Math.max(...views.filter((view) => view.axis === 'z').map(halfWidth));
  const hull = meshHull({ views, halfX, halfZ, rounding: Math.min(1, settings.inflation) }, settings.faceLimit);
  const viewWarnings = checkViewAgreement(views, hull.grid, hull.field);

  progress.start('texturing', 60);
  const placed = placeHull(hull.positions, hull.indices);
  const unwrapped = unwrapCylinder(hull.positions, hull.indices, { bottom: placed.bounds.minY, top: placed.bounds.maxY });
  const size = textureSize(settings.textureSize, halfX, halfZ);
  const texture = await bakeTexture({ views, positions: hull.positions, normals: placed.normals, unwrapped, ...size });

  progress.start('packing', 80);
  const model = {
    positions: gather(placed.positions, unwrapped.source, 3),
    normals: gather(placed.normals, unwrapped.source, 3),
    uvs: unwrapped.uvs,
    indices: unwrapped.indices,
  };
  const { glb, preview } = await packModel(model, texture, settings.previewSize, progress);
  progress.finish();

  return {
    glb,
    ...(preview ? { preview } : {}),
    warnings: [...warnings, ...viewWarnings, ...mirroredNotice(views)],
    segmentation: { method: front.segmentation.method, confidence: front.segmentation.confidence, warnings: separated.flatMap(({ segmentation }) => segmentation.warnings) },
    stats: {
      triangles: model.indices.length / 3,
      vertices: model.positions.length / 3,
      width: front.photo.sourceWidth,
      height: front.photo.sourceHeight,
      mask_coverage: front.segmentation.coverage,
      method: settings.method,
      fallback: 'none',
      shape: 'hull',
      views: usable.map(({ name }) => name),
      timings_ms: progress.timings,
    },
  };
}

/**
 * Segments one view in scratch memory of its own, keeping only a copy of the mask: the next view
 * reuses that memory, so four views need the working memory of one (~100 MB at 1024²), not four.
 */
function segmentApart(photo: DecodedPhoto): Promise<Segmentation> {
  return withScratchMemory(async () => {
    const segmentation = await segmentObject(photo.image);
    return { ...segmentation, mask: segmentation.mask.slice() };
  });
}

/** Every side gets a view: a missing one is stood in for by the opposite side's photo. */
function completeViews(photos: PlacedView[]): PlacedView[] {
  return VIEW_NAMES.flatMap((name) => {
    const own = photos.find((view) => view.name === name);
    if (own) return [own];
    const opposite = photos.find((view) => view.name === OPPOSITE_VIEW[name]);
    return opposite ? [standInView(name, opposite)] : [];
  });
}

/** SYMMETRY_ASSUMED when a side was stood in for by its opposite: the model is a guess there. */
function mirroredNotice(views: PlacedView[]): GenerateWarning[] {
  const mirrored = views.filter((view) => view.source !== view.name).map((view) => `the ${view.name} a mirror of the ${view.source}`);
  if (mirrored.length === 0) return [];
  return [{ code: 'SYMMETRY_ASSUMED', message: `No photo of every side: made ${mirrored.join(' and ')}` }];
}

/** No side view could be separated (or not the front): what the front alone gives, with a warning saying so. */
async function fromFrontAlone(front: Buffer, options: GenerateOptions, warnings: GenerateWarning[]): Promise<MultiviewResult> {
  const single = await generateModel(front, options);
  return {
    ...single,
    warnings: [
      ...warnings,
      ...single.warnings,
      { code: 'SIDE_VIEW_NOT_SEPARATED', message: 'Could not separate the object in the front and a side view; made the model from the front photo alone' },
    ],
    stats: { ...single.stats, views: ['front'] },
  };
}

/**
 * A power-of-two texture whose sides follow the unwrapped surface: the way round (about π times
 * the sum of the half-widths, for an ellipse) against the height, the longer side `maxEdge`.
 */
function textureSize(maxEdge: number, halfX: number, halfZ: number): { width: number; height: number } {
  const around = Math.PI * (halfX + halfZ);
  const ratio = around >= 1 ? 1 / around : around;
  const shorter = Math.max(16, Math.min(maxEdge, 2 ** Math.round(Math.log2(maxEdge * ratio))));
  return around >= 1 ? { width: maxEdge, height: shorter } : { width: shorter, height: maxEdge };
}

function gather(values: Float32Array, source: Uint32Array, components: number): Float32Array {
  const result = new Float32Array(source.length * components);
  for (let v = 0; v < source.length; v++) for (let c = 0; c < components; c++) result[v * components + c] = values[source[v]! * components + c]!;
  return result;
}
