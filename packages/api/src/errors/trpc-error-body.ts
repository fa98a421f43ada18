import { TRPCError } from '@trpc/server';
import { getErrorShape, transformTRPCResponse } from '@trpc/server/unstable-core-do-not-import';
import type { AppError } from '@image2model/core';
import { appRouter } from '../root.js';
import { TRPC_CODE } from './trpc-codes.js';

/**
 * An error answered before a request reaches the tRPC handler (e.g. the rate limiter), in the
 * body tRPC's own clients expect: one serialized error shape, or one per procedure of a batch.
 */
export function trpcErrorBody(error: AppError, request: { path: string; batch: boolean }): unknown {
  const config = appRouter._def._config;
  const paths = request.batch ? request.path.split(',') : [request.path];
  const bodies = paths.map((path) =>
    transformTRPCResponse(config, {
      error: getErrorShape({
        config,
        error: new TRPCError({ code: TRPC_CODE[error.code], message: error.message, cause: error }),
        type: 'unknown',
        path,
        input: undefined,
        ctx: undefined,
      }),
    }),
  );
  return request.batch ? bodies : bodies[0];
}
