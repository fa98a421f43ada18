import type { Request, Response } from 'express';
import type { ApiServices, Context } from '@image2model/api';
import { identityOf, publicUrlOf } from './identity.js';

export interface ContextFactoryOptions {
  services: ApiServices;
  publicUrl: string | undefined;
}

/** The tRPC context of one HTTP request, for both /trpc and /api/v1. */
export function createRequestContext(opts: ContextFactoryOptions, req: Request, res: Response): Context {
  return {
    services: opts.services,
    identity: identityOf(res),
    publicUrl: publicUrlOf(req, opts.publicUrl),
    requestId: String(res.locals.requestId ?? ''),
  };
}
