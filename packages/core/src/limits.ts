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
