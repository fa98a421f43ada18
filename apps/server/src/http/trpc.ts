import type { RequestHandler } from 'express';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { appErrorFromTrpc, appRouter } from '@image2model/api';
import type { Logger } from 'pino';
import { createRequestContext, type ContextFactoryOptions } from './context.js';
import { retryAfterOf } from './retry-after.js';

/** Native tRPC (superjson, batching, SSE subscriptions) for the typed client. */
export function createTrpcHandler(opts: ContextFactoryOptions & { logger: Logger }): RequestHandler {
  return createExpressMiddleware({
    router: appRouter,
    createContext: ({ req, res }) => createRequestContext(opts, req, res),
    maxBodySize: 1024 * 1024,
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') opts.logger.error({ err: error.cause ?? error, path }, 'tRPC procedure failed');
    },
    // A 429 thrown by a procedure (core's active-files limit) carries its wait in Retry-After, as on REST.
    responseMeta({ errors }) {
      const waits = errors.map((error) => retryAfterOf(appErrorFromTrpc(error))).filter((seconds) => seconds !== null);
      return waits.length > 0 ? { headers: { 'Retry-After': String(Math.max(...waits)) } } : {};
    },
  });
}
