import type { Response } from 'express';
import type { AppError } from '@image2model/core';

/**
 * Every 429 says how long to wait in `details.retry_after` (the request windows, the open-stream
 * limit, core's active-files limit): the `Retry-After` header says the same, set here by every
 * path an error leaves through (REST, the upload route, /trpc), so no limit can forget it.
 */
export function retryAfterOf(error: AppError): number | null {
  const seconds = error.code === 'RATE_LIMIT_EXCEEDED' ? error.opts.details?.retry_after : undefined;
  return typeof seconds === 'number' ? seconds : null;
}

export function setRetryAfter(res: Response, error: AppError): void {
  const seconds = retryAfterOf(error);
  if (seconds !== null && !res.headersSent) res.setHeader('Retry-After', String(seconds));
}
