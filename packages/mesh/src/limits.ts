/** Triangle budget when the caller gives none. */
export const DEFAULT_FACE_LIMIT = 10_000;
/** The API's limits (the pixel limit is enforced by sharp's `limitInputPixels`, from the image header). */
export { MAX_FACE_LIMIT, MAX_IMAGE_PIXELS, MIN_FACE_LIMIT } from '@image2model/core/limits';
/**
 * From this face limit up, a model keeps the topology of its silhouette (a mug handle stays a
 * handle: genus = number of holes). Below it the budget is too small to carry a tube, so the
 * simplifier or the low-poly fallback may close holes.
 */
export const MIN_FACE_LIMIT_FOR_TOPOLOGY = 300;
