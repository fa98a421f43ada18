import type { Request, RequestHandler } from 'express';
import type { Metrics } from './metrics.js';

/** Fixed words of our REST paths; anything else in a path is an id (or junk). */
const REST_WORDS = new Set([
  'health', 'ready', 'upload', 'batch', 'models', 'generate-single', 'status', 'stream', 'download',
  'model', 'preview', 'all', 'admin', 'system-info', 'cleanup', 'logs', 'openapi.json',
]);
const ID_NAMES = ['{job_id}', '{file_id}'];
const PROCEDURE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

/**
 * The route template of a request, for a label with few values: ids become `{job_id}`/`{file_id}`,
 * static files are `static`, and anything unknown or odd is `unmatched` (no label per junk URL).
 */
export function routeLabel(path: string, status: number): string {
  if (status === 404 && !path.startsWith('/api/v1/download/') && !path.startsWith('/api/v1/status/')) return 'unmatched';
  if (path === '/metrics') return '/metrics';
  if (path.startsWith('/trpc/')) {
    const procedure = path.slice('/trpc/'.length);
    if (procedure.includes(',')) return '/trpc/{batch}';
    return PROCEDURE.test(procedure) && procedure.length <= 64 ? `/trpc/${procedure}` : 'unmatched';
  }
  if (path === '/api/v1/docs' || path.startsWith('/api/v1/docs/')) return '/api/v1/docs';
  if (!path.startsWith('/api/v1/')) return 'static';
  const segments = path.slice('/api/v1/'.length).split('/').filter((s) => s.length > 0);
  let ids = 0;
  const template = segments.map((segment) => {
    if (REST_WORDS.has(segment)) return segment;
    const name = ID_NAMES[ids];
    ids += 1;
    return name;
  });
  if (ids > ID_NAMES.length || segments.length > 5) return 'unmatched';
  return `/api/v1/${template.join('/')}`;
}

function isEventStream(req: Request): boolean {
  return req.method === 'GET' && (req.path.startsWith('/api/v1/status/stream/') || req.path === '/trpc/status.onEvents');
}

/** Times every request (label: route template) and counts the event streams that are open. */
export function observeHttp(metrics: Metrics): RequestHandler {
  return function observeRequest(req, res, next) {
    const started = process.hrtime.bigint();
    const path = req.path; // routers rewrite req.url on the way in: read it now
    const stream = isEventStream(req);
    if (stream) metrics.sseConnections.inc();
    res.once('close', () => {
      if (stream) metrics.sseConnections.dec();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.headersSent ? res.statusCode : 499; // 499: the client went away first
      metrics.httpDuration.observe({ method: req.method, route: routeLabel(path, status), status: String(status) }, seconds);
    });
    next();
  };
}
