import type { Request, RequestHandler, Response } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { AppError } from '@image2model/core';
import type { Logger } from 'pino';
import { limitKeyOf } from './identity.js';
import { sendError } from './error-handler.js';

export interface RateLimitWindows {
  perMinute: number;
  perHour: number;
}

export interface RateLimiters {
  minute: RateLimiterAbstract;
  hour: RateLimiterAbstract;
}

/** Embedded mode: per-process memory. Distributed mode passes Redis-backed limiters instead. */
export function createMemoryRateLimiters(windows: RateLimitWindows): RateLimiters {
  return {
    minute: new RateLimiterMemory({ points: windows.perMinute, duration: 60 }),
    hour: new RateLimiterMemory({ points: windows.perHour, duration: 3600 }),
  };
}

/**
 * Distributed mode: the counters live in Redis, so every API process draws from one budget per key
 * (60 per minute across three processes is 60, not 180). While Redis is unreachable the limiter
 * fails at once (`rejectIfRedisNotReady`) and requests get a 503, never an unlimited pass.
 */
export function createRedisRateLimiters(windows: RateLimitWindows & { redis: Redis; prefix: string }): RateLimiters {
  const common = { storeClient: windows.redis, rejectIfRedisNotReady: true };
  return {
    minute: new RateLimiterRedis({ ...common, keyPrefix: `${windows.prefix}rl:minute`, points: windows.perMinute, duration: 60 }),
    hour: new RateLimiterRedis({ ...common, keyPrefix: `${windows.prefix}rl:hour`, points: windows.perHour, duration: 3600 }),
  };
}

/** Why a 429 was answered: a request window ran out, or (per key) too many long-lived responses were open. */
export type RateLimitReason = keyof RateLimiters | 'streams';

/**
 * The HTTP layer's 429s (request windows, open streams): `details.limit` is always the number that
 * was exceeded and `details.reason` says which limit it was; the error path sets `Retry-After` from
 * `details.retry_after` (retry-after.ts). Core's active-files limit builds its own, in the same shape.
 */
export function rateLimitExceeded(reason: RateLimitReason, limit: number, retryAfterSeconds: number): AppError {
  return new AppError('RATE_LIMIT_EXCEEDED', `Rate limit exceeded: retry in ${retryAfterSeconds} s`, {
    details: { retry_after: retryAfterSeconds, limit, reason },
  });
}

export interface RateLimitHooks {
  /** Called for each window a rejected request exceeded (metrics). */
  onReject?(window: keyof RateLimiters): void;
  /** Writes the 429 (or 503) in the transport's own error shape; default: the REST error body. */
  respond?(req: Request, res: Response, error: AppError): void;
  /** How many requests this one counts as (a tRPC batch of N: N); default 1. */
  cost?(req: Request): number;
}

interface WindowState {
  name: keyof RateLimiters;
  limit: number;
  remaining: number;
  msBeforeNext: number;
  blocked: boolean;
}

async function consume(name: keyof RateLimiters, limiter: RateLimiterAbstract, key: string, points: number): Promise<WindowState> {
  try {
    const res = await limiter.consume(key, points);
    return { name, limit: limiter.points, remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext, blocked: false };
  } catch (error) {
    if (error instanceof RateLimiterRes) {
      return { name, limit: limiter.points, remaining: 0, msBeforeNext: error.msBeforeNext, blocked: true };
    }
    throw error;
  }
}

function setHeaders(res: Response, window: WindowState): void {
  res.setHeader('X-RateLimit-Limit', String(window.limit));
  res.setHeader('X-RateLimit-Remaining', String(Math.max(0, window.remaining)));
  res.setHeader('X-RateLimit-Reset', String(Math.ceil((Date.now() + window.msBeforeNext) / 1000)));
}

/**
 * Both windows count every request (a tRPC batch as its number of calls), per API key (per client
 * IP without a valid key). The headers describe the tighter window; past either one the answer is
 * 429 with Retry-After.
 */
export function rateLimit(limiters: RateLimiters, logger: Logger, hooks: RateLimitHooks = {}): RequestHandler {
  const respond = hooks.respond ?? ((_req: Request, res: Response, error: AppError) => sendError(res, error, logger));
  return async function limitRate(req, res, next) {
    const key = limitKeyOf(req, res);
    let windows: WindowState[];
    try {
      const points = hooks.cost?.(req) ?? 1;
      windows = await Promise.all([consume('minute', limiters.minute, key, points), consume('hour', limiters.hour, key, points)]);
    } catch (error) {
      respond(req, res, new AppError('SERVICE_UNAVAILABLE', 'Rate limiter unavailable; try again shortly', { cause: error }));
      return;
    }
    const blocked = windows.filter((w) => w.blocked);
    const tightest = (blocked.length > 0 ? blocked : windows).reduce((a, b) =>
      a.remaining < b.remaining || (a.remaining === b.remaining && a.msBeforeNext > b.msBeforeNext) ? a : b,
    );
    setHeaders(res, tightest);
    if (blocked.length === 0) {
      next();
      return;
    }
    for (const window of blocked) hooks.onReject?.(window.name);
    const retryAfter = Math.max(1, Math.ceil(Math.max(...blocked.map((w) => w.msBeforeNext)) / 1000));
    respond(req, res, rateLimitExceeded(tightest.name, tightest.limit, retryAfter));
  };
}
