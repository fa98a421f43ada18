import type { Request, RequestHandler } from 'express';
import type { Metrics } from './metrics.js';
import { routeLabel } from './route-label.js';

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
