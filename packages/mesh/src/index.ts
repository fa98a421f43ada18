/**
 * @image2model/mesh — the local image → 3D generator: one photo in, a textured, closed GLB out,
 * offline and deterministic, by a surface of revolution or two-sided silhouette inflation (Puffball,
 * or Poisson as an option); or photos of one object's front, sides and back in, a visual hull out
 * (generateMultiviewModel, docs/multiview.md).
 *
 * Known limits (the honest limits of a classical method; the FAL provider is the high-quality path):
 * - The object is separated from its background by the alpha channel, or else by flooding from
 *   the image border. A product the colour of its background leaks into it; neutral-grey soft
 *   edges can be taken for shadow; a roomy blank region of background colour enclosed by the
 *   object can be taken for a hole. A busy background gives a textured card of the whole photo.
 * - An outline mirror-symmetric about a vertical axis with a smoothly changing width is taken for
 *   a solid of revolution (round, a handle kept as a tube); anything else is inflated, no thicker
 *   than its proportions suggest. Every model is mirror-symmetric front to back; the back shows
 *   the photo mirrored.
 * - Holes in the silhouette survive from MIN_FACE_LIMIT_FOR_TOPOLOGY triangles up; below that the
 *   simplifier may close them.
 * - Identical bytes are guaranteed for the same input, options and build (the same sharp/libvips
 *   and meshoptimizer), on the same platform.
 */
export { generateModel, SYMMETRY_ASSUMED, type GenerateWarning, type GenerateWarningCode, type GenerateResult, type GenerateStats, type ModelShape } from './generate-model.js';
export type { SegmentationCode, SegmentationWarning } from './mask/segment-object.js';
export type { GenerateOptions, InflationMethod } from './generate-options.js';
export { DEFAULT_FACE_LIMIT, MAX_FACE_LIMIT, MIN_FACE_LIMIT } from './limits.js';
export { createGeneratorPool, type GeneratorPool, type GeneratorPoolOptions, type MultiviewSources } from './pool/create-generator-pool.js';
export {
  generateMultiviewModel,
  type MultiviewImages,
  type MultiviewResult,
  type MultiviewStats,
} from './multiview/generate-multiview-model.js';
export type { ViewsWarning } from './multiview/view-agreement.js';
export { VIEW_NAMES, type ViewName } from './multiview/view-cameras.js';
export { MAX_OPPOSITE_WIDTH_RATIO, MIN_EXPLAINED_SHARE } from './multiview/view-agreement.js';
