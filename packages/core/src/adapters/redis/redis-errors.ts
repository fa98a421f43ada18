import { AppError } from '../../errors.js';

/** Replies Redis gives while it cannot serve (loading its AOF, a busy script, a replica without master, full: maxmemory reached). */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM)\b/;

/**
 * True for failures that mean "Redis is not reachable right now" (a closed connection, the offline
 * queue refused, retries exhausted, Redis still loading), as opposed to a bug in a command.
 */
function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // A MULTI whose queued commands Redis refused (OOM while full) fails as a whole with EXECABORT;
  // ioredis keeps the refusals in `previousErrors`: the transaction failed for their reason.
  if (error.name === 'ReplyError' && error.message.startsWith('EXECABORT')) {
    const previous = (error as Error & { previousErrors?: unknown[] }).previousErrors ?? [];
    return previous.some(isRedisUnavailable);
  }
  if (error.name === 'ReplyError') return UNAVAILABLE_REPLY.test(error.message);
  return true;
}

/**
 * Runs one Redis operation; an outage becomes AppError SERVICE_UNAVAILABLE (503, retryable), so
 * callers get a clear answer and queued work is retried once Redis is back.
 */
export async function callRedis<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof AppError || !isRedisUnavailable(error)) throw error;
    throw new AppError('SERVICE_UNAVAILABLE', 'The job store (Redis) is unavailable; try again shortly', { cause: error, retryable: true });
  }
}
