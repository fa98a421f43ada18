import { describe, expect, it } from 'vitest';
import { createOpenApiDocument } from '@image2model/api';
import { routeLabel } from './route-label.js';

describe('routeLabel', () => {
  it.each([
    ['/api/v1/upload/batch', 200, '/api/v1/upload/batch'],
    ['/api/v1/status/batch_20240315_123456_abcdef', 200, '/api/v1/status/{job_id}'],
    ['/api/v1/status/batch_20240315_123456_abcdef/', 200, '/api/v1/status/{job_id}'],
    ['/api/v1/status/batch_20240315_123456_abcdef', 404, '/api/v1/status/{job_id}'],
    ['/api/v1/status/batch_20240315_123456_abcdef', 429, '/api/v1/status/{job_id}'],
    ['/api/v1/status/stream/batch_20240315_123456_abcdef', 200, '/api/v1/status/stream/{job_id}'],
    ['/api/v1/download/batch_20240315_123456_abcdef/file_001/model', 200, '/api/v1/download/{job_id}/{file_id}/model'],
    ['/api/v1/download/batch_20240315_123456_abcdef/file_001/preview', 404, '/api/v1/download/{job_id}/{file_id}/preview'],
    ['/api/v1/download/batch_20240315_123456_abcdef/all', 200, '/api/v1/download/{job_id}/all'],
    ['/api/v1/models/generate-single', 401, '/api/v1/models/generate-single'],
    ['/api/v1/admin/system-info', 403, '/api/v1/admin/system-info'],
    ['/api/v1/logs', 200, '/api/v1/logs'],
    ['/api/v1/openapi.json', 200, '/api/v1/openapi.json'],
    ['/api/v1/health/ready', 503, '/api/v1/health/ready'],
    ['/api/v1/docs/swagger-ui.css', 200, '/api/v1/docs'],
    ['/trpc/status.get', 200, '/trpc/status.get'],
    ['/trpc/status.get', 429, '/trpc/status.get'],
    ['/trpc/status.get,health.get', 200, '/trpc/{batch}'],
    ['/metrics', 403, '/metrics'],
    ['/', 200, 'static'],
    ['/assets/index-abc.js', 304, 'static'],
  ])('labels %s (%i) as %s', (path, status, label) => {
    expect(routeLabel(path, status)).toBe(label);
  });

  it.each([
    ['/api/v1/no/such/thing', 404],
    ['/api/v1/status/a/b', 401],
    ['/api/v1/status/a/b/c/d/e/f', 400],
    ['/api/v1/download/model/logs', 429],
    ['/api/v1/status/batch_x/all', 404],
    ['/api/v1/docs/nothing', 404],
    ['/wp-login.php', 404],
    ['/trpc/<script>', 400],
    ['/trpc/junk.procedure', 204],
    ['/trpc/junk.procedure', 429],
    ['/trpc/health.get,junk', 207],
    ['/trpc/', 404],
  ])('labels junk %s (%i) as unmatched', (path, status) => {
    expect(routeLabel(path, status)).toBe('unmatched');
  });
});

describe('routeLabel and the OpenAPI document', () => {
  // The hand-written routes are listed in route-label.ts by hand: a route added to the document but
  // not there would be counted as `unmatched` (the photo route was).
  const document = createOpenApiDocument({ baseUrl: 'http://localhost', maxFiles: 25, maxFileSizeMb: 10, maxImagePixels: 40_000_000, version: '0' });

  it.each(Object.keys(document.paths ?? {}).map((path) => `/api/v1${path}`))('labels every documented route: %s', (template) => {
    const path = template.replace('{job_id}', 'batch_20240315_123456_abcdef').replace('{file_id}', 'file_001');
    expect(routeLabel(path, 200)).toBe(template);
  });
});
