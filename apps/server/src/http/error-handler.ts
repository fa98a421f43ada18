import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AppError } from '@image2model/core';
import { appErrorFromUnknown } from '@image2model/api';
import type { Logger } from 'pino';

const STORAGE_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/**
 * A full disk (or an exhausted quota) anywhere in the cause chain: the caller can only retry later
 * and the operator must free space, so it is a 507 that says so, not an anonymous 500.
 */
export function storageFullError(error: unknown): AppError | null {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 8; cause = cause.cause, depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== undefined && STORAGE_FULL_CODES.has(code)) {
      return new AppError('INSUFFICIENT_STORAGE', 'The server is out of storage space, so nothing was stored: try again later. If this persists, the operator must free disk space for DATA_DIR', { cause: error });
    }
  }
  return null;
}

/**
 * The wire body. AppError hides every 5xx message, but the 507's is ours (no path, no internals) and
 * is the only thing that tells the caller what to do.
 */
function bodyOf(error: AppError): ReturnType<AppError['toBody']> {
  if (error.code !== 'INSUFFICIENT_STORAGE') return error.toBody();
  return { detail: { code: error.code, message: error.message, details: error.opts.details ?? {} } };
}

/** Writes the one error shape; 5xx causes go to the log (with the request id), never to the caller. */
export function sendError(res: Response, error: AppError, logger: Logger): void {
  if (error.status >= 500) logger.error({ err: error.cause ?? error, code: error.code }, `${error.code}: ${error.message}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(error.status).json(bodyOf(error));
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
