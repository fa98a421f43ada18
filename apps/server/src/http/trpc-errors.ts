import type { Request, Response } from 'express';
import { trpcErrorBody } from '@image2model/api';
import type { AppError } from '@image2model/core';
import { setRetryAfter } from './retry-after.js';

/** An error for a /trpc request answered before tRPC runs, in the shape tRPC clients read. */
export function sendTrpcError(req: Request, res: Response, error: AppError): void {
  const body = trpcErrorBody(error, { path: req.path.replace(/^\//, ''), batch: req.query.batch === '1' });
  setRetryAfter(res, error);
  res.status(error.status).json(body);
}
