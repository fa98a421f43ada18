import type { Request, RequestHandler } from 'express';
import { readBearer, type ApiKeyAuth, type Identity } from '@image2model/api';

/** Identifies the caller once per request; the rate limiter and every route read the result. */
export function identify(auth: ApiKeyAuth): RequestHandler {
  return function identifyCaller(req, res, next) {
    const bearer = readBearer(req.get('authorization'));
    const identity: Identity = { credentialsPresent: bearer.present, principal: auth.identify(bearer.key) };
    res.locals.identity = identity;
    next();
  };
}

export function identityOf(res: { locals: Record<string, unknown> }): Identity {
  return (res.locals.identity as Identity | undefined) ?? { credentialsPresent: false, principal: null };
}

export function publicUrlOf(req: Request, configured: string | undefined): string {
  return configured ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
