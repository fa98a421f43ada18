/** Triangle budget when the caller gives none. */
export const DEFAULT_FACE_LIMIT = 10_000;
/** A tetrahedron: the smallest closed mesh. */
export const MIN_FACE_LIMIT = 4;
export const MAX_FACE_LIMIT = 200_000;
/** The API's pixel limit, enforced by sharp (`limitInputPixels`) from the image header. */
export const MAX_INPUT_PIXELS = 40_000_000;
/**
 * From this face limit up, a model keeps the topology of its silhouette (a mug handle stays a
 * handle: genus = number of holes). Below it the budget is too small to carry a tube, so the
 * simplifier or the low-poly fallback may close holes.
 */
export const MIN_FACE_LIMIT_FOR_TOPOLOGY = 300;
