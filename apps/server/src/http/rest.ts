import type { Request, RequestHandler, Response } from 'express';
import { createOpenApiNodeHttpHandler } from 'trpc-to-openapi';
import { appErrorFromTrpc, appRouter, type ReadinessReport } from '@image2model/api';
import type { AppError } from '@image2model/core';
import type { Logger } from 'pino';
import { createRequestContext, type ContextFactoryOptions } from './context.js';

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
    createContext: ({ req, res }) => createRequestContext(opts, req, res),
    maxBodySize: 1024 * 1024,
    onError({ error, req }) {
      const appError = appErrorFromTrpc(error);
      const res = (req as Request).res as RestResponse | undefined;
      if (res) res[REST_ERROR] = appError;
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

/**
 * A bodyless POST (e.g. `POST /admin/cleanup` with every default) is an empty JSON object, not an
 * unsupported media type; a body of another type still gets 400.
 */
export const defaultEmptyJsonBody: RequestHandler = function defaultEmptyJsonBody(req, _res, next) {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (req.method === 'POST' && req.body === undefined && !hasBody) {
    req.headers['content-type'] = 'application/json';
    req.body = {};
  }
  next();
};
