import type { Request, Response } from 'express';
import { appRouter, createCallerFactory } from '@image2model/api';
import { createRequestContext, type ContextFactoryOptions } from './context.js';

const createCaller = createCallerFactory(appRouter);

/**
 * The router as a server-side caller in this request's context: the routes that answer through a
 * procedure without trpc-to-openapi's or tRPC's HTTP handling (status, its stream, GET queries).
 */
export function callerFor(opts: ContextFactoryOptions, req: Request, res: Response) {
  return createCaller(createRequestContext(opts, req, res));
}
