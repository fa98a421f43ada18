import { isIPv6 } from 'node:net';
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

/** The eight groups of an IPv6 address (`::` expanded), or null when it is not one. */
function ipv6Groups(address: string): string[] | null {
  const bare = address.split('%')[0] ?? '';
  if (!isIPv6(bare)) return null;
  const [head = '', tail] = bare.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}

/**
 * The key a client without a valid API key is counted under: its IPv4 address, or its IPv6 /64
 * (one subscriber's network: a client may hold the whole /64 and change its address at will).
 */
export function clientAddressKey(ip: string | undefined): string {
  if (ip === undefined) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  const groups = ipv6Groups(ip);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : ip;
}

/** Who a limit counts against: the key's owner, or (without a valid key) the client's address. */
export function limitKeyOf(req: Request, res: { locals: Record<string, unknown> }): string {
  const principal = identityOf(res).principal;
  return principal ? `key:${principal.owner}` : `ip:${clientAddressKey(req.ip)}`;
}
