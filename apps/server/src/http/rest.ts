import type { Request, RequestHandler, Response } from 'express';
import { createOpenApiNodeHttpHandler } from 'trpc-to-openapi';
import { appErrorFromTrpc, appRouter, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, type ReadinessReport } from '@image2model/api';
import { AppError } from '@image2model/core';
import type { Logger } from 'pino';
import { createRequestContext, type ContextFactoryOptions } from './context.js';
import { setRetryAfter } from './retry-after.js';

const REST_ERROR = Symbol('restError');
type RestResponse = Response & { [REST_ERROR]?: AppError };

/**
 * The JSON endpoints of /api/v1: the router's procedures through trpc-to-openapi. Its error body
 * is tRPC-shaped, so this is the one place that rewrites error answers into the spec's
 * `{"detail": {...}}` (and gives each the status of its AppError). Unmatched paths fall through.
 */
export function createRestHandler(opts: ContextFactoryOptions & { logger: Logger }): RequestHandler {
  const handler = createOpenApiNodeHttpHandler<typeof appRouter, Request, RestResponse>({
    router: appRouter,
    createContext: ({ req, res }) => ({
      ...createRequestContext(opts, req, res),
      idempotency: { header: req.get(IDEMPOTENCY_KEY_HEADER), markReplayed: () => res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true') },
    }),
    maxBodySize: 1024 * 1024,
    onError({ error, req }) {
      const appError = appErrorFromTrpc(error);
      const res = (req as Request).res as RestResponse | undefined;
      if (res) {
        res[REST_ERROR] = appError;
        setRetryAfter(res, appError);
      }
      if (appError.status >= 500) {
        opts.logger.error({ err: error.cause ?? error }, `${appError.code}: ${error.message}`);
      }
    },
    responseMeta({ paths, data, errors }) {
      const [error] = errors;
      if (error) return { status: appErrorFromTrpc(error).status };
      const ready = paths?.[0] === 'health.ready' ? (data[0] as ReadinessReport | undefined) : undefined;
      return ready && ready.status !== 'ready' ? { status: 503 } : {};
    },
  });

  return function serveRest(req, res, next) {
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    (res as { end: unknown }).end = (...args: unknown[]) => {
      const appError = (res as RestResponse)[REST_ERROR];
      if (appError !== undefined && !res.headersSent) {
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        return end(JSON.stringify(appError.toBody()));
      }
      return end(...args);
    };
    return handler(req, res as RestResponse, next);
  };
}

/** No request field is nested this deep; deeper bodies would overflow the stack of tRPC's JSON.stringify. */
const MAX_JSON_DEPTH = 32;

/** The nesting depth of a parsed JSON value, counted without recursion (a hostile body may be 100,000 deep). */
function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > limit) return deepest;
    for (const child of Object.values(current as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * A bodyless POST (e.g. `POST /admin/cleanup` with every default) is an empty JSON object, not an
 * unsupported media type; a body of another type still gets 400. A body nested deeper than
 * MAX_JSON_DEPTH is a 400 VALIDATION_ERROR (it used to be a 500 from a stack overflow).
 */
export const defaultEmptyJsonBody: RequestHandler = function defaultEmptyJsonBody(req, _res, next) {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (req.method === 'POST' && req.body === undefined && !hasBody) {
    req.headers['content-type'] = 'application/json';
    req.body = {};
  }
  if (jsonDepth(req.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    next(new AppError('VALIDATION_ERROR', `Malformed JSON body: nested deeper than ${MAX_JSON_DEPTH} levels`, { details: { max_depth: MAX_JSON_DEPTH } }));
    return;
  }
  next();
};
