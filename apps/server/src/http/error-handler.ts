import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AppError } from '@image2model/core';
import { appErrorFromUnknown } from '@image2model/api';
import type { Logger } from 'pino';
import { setRetryAfter } from './retry-after.js';

// Kept here for the upload handler, which imports it from this module.

/** Writes the one error shape; 5xx causes go to the log (with the request id), never to the caller. */
export function sendError(res: Response, error: AppError, logger: Logger): void {
  if (error.status >= 500) logger.error({ err: error.cause ?? error, code: error.code }, `${error.code}: ${error.message}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  setRetryAfter(res, error);
  res.status(error.status).json(error.toBody());
}

interface HttpErrorLike {
  type?: string;
  status?: number;
}

/** body-parser and friends throw plain errors with a `type`: give each its spec code. */
function fromHttpError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  const { type, status } = (error ?? {}) as HttpErrorLike;
  if (type === 'entity.too.large') return new AppError('FILE_TOO_LARGE', 'Request body too large');
  if (type === 'entity.parse.failed') return new AppError('VALIDATION_ERROR', 'Malformed JSON body');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('VALIDATION_ERROR', 'Malformed request');
  }
  return null;
}

export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return function handleError(error: unknown, _req: Request, res: Response, _next) {
    const appError = fromHttpError(error) ?? appErrorFromUnknown(error);
    sendError(res, appError, logger);
  };
}

export const notFoundHandler: RequestHandler = function notFound(_req, _res, next) {
  next(new AppError('NOT_FOUND', 'No such endpoint: see /api/v1/docs'));
};
