/**
 * The limits the API, the generator, the web app and the CLI share, in one module that imports
 * nothing (`@image2model/core/limits`), so a browser bundle or the mesh package can take it whole.
 */

/** The smallest face limit: a tetrahedron, the smallest closed mesh. */
export const MIN_FACE_LIMIT = 4;
export const MAX_FACE_LIMIT = 200_000;
/** Pixels per photo, checked from its header before it is decoded. */
export const MAX_IMAGE_PIXELS = 40_000_000;
/** MAX_FILES when not configured: photos per upload. */
export const DEFAULT_MAX_FILES = 25;
/** MAX_FILE_SIZE_MB when not configured: MiB per photo. */
export const DEFAULT_MAX_FILE_SIZE_MB = 10;
/** MAX_ACTIVE_FILES_PER_KEY when not configured: pending + processing files per API key. */
export const DEFAULT_MAX_ACTIVE_FILES_PER_KEY = 200;

/** The formats a completed model downloads in (`?format=`); `glb` is the stored model itself. */
export const MODEL_FORMATS = ['glb', 'stl', '3mf', 'obj', 'ply', 'usdz'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];
/** `height_mm` bounds for STL and 3MF: from a hundredth of a millimetre to ten metres. */
export const MIN_HEIGHT_MM = 0.01;
export const MAX_HEIGHT_MM = 10_000;
/** The longest side STL and 3MF get when no height is asked for and the model is larger (the local generator's models are 1 m: no printer takes that). */
export const DEFAULT_PRINT_MAX_SIDE_MM = 100;
/** Each format's download: the name's extension and the Content-Type (PLY has no registered type; OBJ comes with its MTL and texture in a ZIP). */
export const MODEL_FORMAT_FILES: Record<ModelFormat, { extension: string; contentType: string }> = {
  glb: { extension: '.glb', contentType: 'model/gltf-binary' },
  stl: { extension: '.stl', contentType: 'model/stl' },
  '3mf': { extension: '.3mf', contentType: 'model/3mf' },
  obj: { extension: '.obj.zip', contentType: 'application/zip' },
  ply: { extension: '.ply', contentType: 'application/octet-stream' },
  usdz: { extension: '.usdz', contentType: 'model/vnd.usdz+zip' },
};
