import { describe, expect, it } from 'vitest';
import { routeLabel } from './http-metrics.js';

describe('routeLabel', () => {
  it.each([
    ['/api/v1/upload/batch', 200, '/api/v1/upload/batch'],
    ['/api/v1/status/batch_20240315_123456_abcdef', 200, '/api/v1/status/{job_id}'],
    ['/api/v1/status/batch_20240315_123456_abcdef', 404, '/api/v1/status/{job_id}'],
    ['/api/v1/status/stream/batch_20240315_123456_abcdef', 200, '/api/v1/status/stream/{job_id}'],
    ['/api/v1/download/batch_20240315_123456_abcdef/file_001/model', 200, '/api/v1/download/{job_id}/{file_id}/model'],
    ['/api/v1/download/batch_20240315_123456_abcdef/all', 200, '/api/v1/download/{job_id}/all'],
    ['/api/v1/health/ready', 503, '/api/v1/health/ready'],
    ['/api/v1/docs/swagger-ui.css', 200, '/api/v1/docs'],
    ['/trpc/status.get', 200, '/trpc/status.get'],
    ['/trpc/status.get,health.get', 200, '/trpc/{batch}'],
    ['/metrics', 403, '/metrics'],
    ['/', 200, 'static'],
  ])('labels %s (%i) as %s', (path, status, label) => {
    expect(routeLabel(path, status)).toBe(label);
  });

  it('keeps junk paths from becoming labels of their own', () => {
    expect(routeLabel('/api/v1/no/such/thing', 404)).toBe('unmatched');
    expect(routeLabel('/wp-login.php', 404)).toBe('unmatched');
    expect(routeLabel('/api/v1/status/a/b/c/d/e/f', 400)).toBe('unmatched');
    expect(routeLabel('/trpc/<script>', 400)).toBe('unmatched');
  });
});
