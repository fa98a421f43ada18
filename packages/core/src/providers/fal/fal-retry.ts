import { isAppError } from '../../errors.js';
import { classifyFalError, falAppError, type FalFailure } from './fal-errors.js';

export interface FalRetryOptions {
  /** Retries after the first attempt of one FAL call. @default 6 */
  maxRetries?: number;
  /** Delay before the first retry; doubles with each further one. @default 1000 */
  baseDelayMs?: number;
  /** Cap on one delay (and on a `Retry-After` FAL sends). @default 30_000 */
  maxDelayMs?: number;
}

export type ResolvedRetry = Required<FalRetryOptions>;

export const DEFAULT_FAL_RETRY: ResolvedRetry = { maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 30_000 };

/** Exponential backoff with ±25 % jitter (so many workers do not retry in step), or FAL's Retry-After. */
export function backoffDelay(retry: number, policy: ResolvedRetry, retryAfterSeconds: number | null, random: () => number = Math.random): number {
  if (retryAfterSeconds !== null && retryAfterSeconds > 0) return Math.min(policy.maxDelayMs, retryAfterSeconds * 1000);
  const exponential = policy.baseDelayMs * 2 ** retry;
  return Math.max(0, Math.min(policy.maxDelayMs, exponential * (0.75 + 0.5 * random())));
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryContext {
  /** "uploading the image", "submitting", …: used in messages. */
  what: string;
  policy: ResolvedRetry;
  signal: AbortSignal;
  requestId?: string | null;
  /** Told before each wait, e.g. to log "retrying in 2 s". */
  onRetry?: (failure: FalFailure, attempt: number, delayMs: number) => void;
}

/**
 * Runs one FAL call, retrying transient failures with backoff up to `policy.maxRetries` times.
 * Throws the final failure as a non-retryable `FAL_API_ERROR` AppError (this is the retry limit;
 * the job queue does not add its own on top), or the abort reason when `signal` fires.
 */
export async function withFalRetry<T>(call: () => Promise<T>, ctx: RetryContext): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    ctx.signal.throwIfAborted();
    try {
      return await call();
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? error;
      if (isAppError(error)) throw error; // already decided (e.g. a model that is not a GLB)
      const failure = classifyFalError(error);
      if (!failure.transient) throw falAppError(failure, ctx.what, { requestId: ctx.requestId ?? null });
      if (attempt > ctx.policy.maxRetries) throw falAppError(failure, ctx.what, { attempts: attempt, requestId: ctx.requestId ?? null });
      const delay = backoffDelay(attempt - 1, ctx.policy, failure.retryAfterSeconds);
      ctx.onRetry?.(failure, attempt, delay);
      await sleep(delay, ctx.signal);
    }
  }
}
