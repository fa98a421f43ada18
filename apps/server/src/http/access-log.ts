import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { correlation } from '../logging/logger.js';
import { cutText } from '../logging/log-buffer.js';
import { routeLabel } from '../metrics/route-label.js';

const STATUS_POLL = /^\/api\/v1\/status\/[^/]+\/?$/;

/** A logged path is cut to this many characters: a client may send up to ~16 KB of them. */
const MAX_LOGGED_PATH_CHARS = 200;

/**
 * Health checks and successful status polls (a page polls every second per job) are routine: they
 * log at debug, so the info log holds what happened rather than who looked. So are 404s on paths
 * that are no route at all (scanners, typos): they are the cheapest flood there is.
 */
function isRoutine(method: string, path: string, status: number): boolean {
  if (path.startsWith('/api/v1/health')) return true;
  if (status === 404 && routeLabel(path, status) === 'unmatched') return true;
  if (method !== 'GET' || status >= 400) return false;
  return STATUS_POLL.test(path) || path === '/trpc/status.get';
}

/**
 * One line per answered request: method, path (never the query, which may carry a session id),
 * status and time. Logged inside the request's correlation context, so the line carries its id.
 */
export function accessLog(logger: Logger): RequestHandler {
  return function logAccess(req, res, next) {
    const started = process.hrtime.bigint();
    const fullPath = req.originalUrl.split('?')[0] ?? '';
    const path = cutText(fullPath, MAX_LOGGED_PATH_CHARS);
    const requestId = String(res.locals.requestId ?? '');
    // 'close', not 'finish': a client hanging up right after the last byte (or mid-way) still gets its line.
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const level = res.statusCode >= 500 ? 'error' : isRoutine(req.method, fullPath, res.statusCode) ? 'debug' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      correlation.run({ correlationId: requestId }, () =>
        logger[level]({ method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, `${req.method} ${path} ${res.statusCode} ${ms.toFixed(1)} ms`),
      );
    });
    next();
  };
}
