import type { Request, RequestHandler, Response } from 'express';
import type { AppError } from '@image2model/core';
import type { Logger } from 'pino';
import { limitKeyOf } from './identity.js';
import { sendError } from './error-handler.js';
import { rateLimitExceeded } from './rate-limit.js';

/** What a client refused a stream is told to wait: long-lived responses end on their own schedule. */
const RETRY_AFTER_SECONDS = 5;

export interface StreamLimitOptions {
  /** Writes the 429 in the transport's own error shape; default: the REST error body. */
  respond?(req: Request, res: Response, error: AppError): void;
  /** Which requests are long-lived (on a path shared with short ones); default: all. */
  only?(req: Request): boolean;
}

export type StreamLimit = (opts?: StreamLimitOptions) => RequestHandler;

/**
 * Long-lived responses (event streams, downloads, ZIPs) each hold a socket, buffers and often a file:
 * at most `limit` open at once per API key (per client IP for session_id access), counted in this
 * process. Past it: 429 `RATE_LIMIT_EXCEEDED` with `details.reason: "streams"`. A slot is freed when
 * its response closes, however it ends. Returns a middleware factory, one per transport's error shape,
 * all drawing on the same counts.
 */
export function createStreamLimit(limit: number, logger: Logger): StreamLimit {
  const open = new Map<string, number>();
  const sendRest = (_req: Request, res: Response, error: AppError) => sendError(res, error, logger);
  return ({ respond = sendRest, only }: StreamLimitOptions = {}) =>
    function limitOpenStreams(req, res, next) {
      if (only && !only(req)) {
        next();
        return;
      }
      const key = limitKeyOf(req, res);
      const count = open.get(key) ?? 0;
      if (count >= limit) {
        respond(req, res, rateLimitExceeded('streams', limit, RETRY_AFTER_SECONDS));
        return;
      }
      open.set(key, count + 1);
      res.once('close', () => {
        const left = (open.get(key) ?? 1) - 1;
        if (left > 0) open.set(key, left);
        else open.delete(key);
      });
      next();
    };
}
