import type { Request, RequestHandler } from 'express';
import { AppError } from '@image2model/core';
import { trpcErrorBody } from '@image2model/api';

/**
 * How many procedure calls a /trpc request makes: a batch (`?batch=1`) names one per comma. A path
 * without a comma is one call either way, so the query (Express parses it again on every read of
 * `req.query`, `input` included) is read only for a path that names several.
 */
export function trpcCallCount(req: Request): number {
  const path = req.path;
  let calls = 1;
  for (let i = path.indexOf(','); i >= 0; i = path.indexOf(',', i + 1)) calls += 1;
  return calls > 1 && req.query.batch === '1' ? calls : 1;
}

/**
 * `MAX_BATCH_SIZE`: a larger batch is refused before it is counted or run, with one 400
 * VALIDATION_ERROR in tRPC's error shape (its clients give that one error to every call of the
 * batch), as tRPC's own `maxBatchSize` would, but with the spec's code and the sizes in details.
 */
export function limitTrpcBatch(maxBatchSize: number): RequestHandler {
  return function refuseLargeBatch(req, res, next) {
    const calls = trpcCallCount(req);
    if (calls <= maxBatchSize) {
      next();
      return;
    }
    const error = new AppError('VALIDATION_ERROR', `A batch may hold at most ${maxBatchSize} calls; this one has ${calls}`, {
      details: { max_batch_size: maxBatchSize, batch_size: calls },
    });
    res.status(error.status).json(trpcErrorBody(error, { path: '', batch: false }));
  };
}
