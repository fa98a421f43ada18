/**
 * Every public path of the REST API lives here: the server mounts its hand-written routes from
 * these templates, the OpenAPI document describes them under these keys, metrics label requests
 * with them, and the status answer and events link to downloads built here. (The router's own
 * routes carry their path in their procedure's OpenAPI meta.) Core knows ids, never URLs.
 */

export const API_PREFIX = '/api/v1';

/** The REST routes trpc-to-openapi cannot serve (multipart, SSE, binary), as OpenAPI templates under the prefix. */
export const HAND_WRITTEN_ROUTES = {
  uploadBatch: '/upload/batch',
  uploadMultiview: '/upload/multiview',
  statusStream: '/status/stream/{job_id}',
  downloadAll: '/download/{job_id}/all',
  downloadModel: '/download/{job_id}/{file_id}/model',
  downloadPreview: '/download/{job_id}/{file_id}/preview',
  downloadPhoto: '/download/{job_id}/{file_id}/photo',
  openApiDocument: '/openapi.json',
} as const;

/** The interactive docs page (Swagger UI and its assets live under it). */
export const DOCS_PATH = '/docs';

/** An OpenAPI template as an Express route: `{job_id}` → `:job_id`. */
export function expressRoute(template: string): string {
  return template.replace(/\{([a-z_]+)\}/g, ':$1');
}

/** Absolute paths (prefix included) of one file's downloads; the ids are already checked, so not encoded. */
export const downloadPaths = {
  model: (jobId: string, fileId: string) => `${API_PREFIX}/download/${jobId}/${fileId}/model`,
  preview: (jobId: string, fileId: string) => `${API_PREFIX}/download/${jobId}/${fileId}/preview`,
};
