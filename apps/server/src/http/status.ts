import type { RequestHandler } from 'express';
import { appErrorFromUnknown } from '@image2model/api';
import type { Logger } from 'pino';
import type { ContextFactoryOptions } from './context.js';
import { callerFor } from './caller.js';
import { sendError } from './error-handler.js';

/**
 * `GET /api/v1/status/{job_id}`, the endpoint clients poll, through a server-side caller of the
 * same `status.get` procedure (its input and output schemas, access rule and errors) instead of
 * trpc-to-openapi's generic handler, which builds a WHATWG Request and AbortSignal per call: about
 * a third of this route's CPU per request (BENCHMARKS.md, "status").
 */
export function createStatusHandler(opts: ContextFactoryOptions & { logger: Logger }): RequestHandler {
  return async function getStatus(req, res) {
    const caller = callerFor(opts, req, res);
    try {
      // Unknown query parameters are ignored, as the procedure's (non-strict) input schema does.
      const input = { job_id: req.params.job_id, session_id: req.query.session_id } as { job_id: string; session_id?: string };
      const body = JSON.stringify(await caller.status.get(input));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    } catch (error) {
      sendError(res, appErrorFromUnknown(error), opts.logger);
    }
  };
}
