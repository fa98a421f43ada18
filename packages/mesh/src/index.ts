/**
 * @image2model/mesh — the local image → 3D generator: one photo in, a textured, closed GLB out,
 * offline and deterministic, by two-sided silhouette inflation (Puffball, or Poisson as an option).
 *
 * Known limits (the honest limits of a classical method; the FAL provider is the high-quality path):
 * - The object is separated from its background by the alpha channel, or else by flooding from
 *   the image border. A product the colour of its background leaks into it; neutral-grey soft
 *   edges can be taken for shadow; a roomy blank region of background colour enclosed by the
 *   object can be taken for a hole. A busy background gives a textured card of the whole photo.
 * - Every model is lens-shaped from the side and mirror-symmetric front to back; the back shows
 *   the photo mirrored.
 * - Holes in the silhouette survive from MIN_FACE_LIMIT_FOR_TOPOLOGY triangles up; below that the
 *   simplifier may close them.
 * - Identical bytes are guaranteed for the same input, options and build (the same sharp/libvips
 *   and meshoptimizer), on the same platform.
 */
export { generateModel, type GenerateResult, type GenerateStats } from './generate-model.js';
export type { GenerateOptions, InflationMethod } from './generate-options.js';
export { DEFAULT_FACE_LIMIT, MAX_FACE_LIMIT, MIN_FACE_LIMIT } from './limits.js';
export { createGeneratorPool, type GeneratorPool, type GeneratorPoolOptions } from './pool/create-generator-pool.js';
