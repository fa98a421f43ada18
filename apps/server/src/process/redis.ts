import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export type ProcessRole = 'api' | 'worker';

/** The longest an API process waits for one Redis command (blocking reads use their own connection). */
const API_COMMAND_TIMEOUT_MS = 5_000;

/** The URL without its password, for messages and logs. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://…';
  }
}

/**
 * The process's Redis command connection. API processes fail fast while Redis is down (no offline
 * queue), so a request gets a 503 at once instead of hanging; workers wait through an outage
 * (offline queue, no retry limit) and carry on when Redis is back. Both reconnect by themselves.
 * Resolves once Redis answers; rejects with a clear message after `timeoutMs`.
 */
export async function connectRedis(url: string, opts: { role: ProcessRole; timeoutMs?: number }): Promise<Redis> {
  const worker = opts.role === 'worker';
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: `image2model-${opts.role}`,
    enableOfflineQueue: worker,
    maxRetriesPerRequest: worker ? null : 1,
    // ioredis resends a command a dropped connection left unanswered after every reconnect, so a
    // connection that keeps dropping at it kept an API request waiting for ever: it gets a 503
    // after this long instead (and the caller repairs what it half did).
    ...(worker ? {} : { commandTimeout: API_COMMAND_TIMEOUT_MS }),
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  });
  let lastError: Error | null = null;
  const onError = (error: Error) => {
    lastError = error;
  };
  redis.on('error', onError);
  const timeoutMs = opts.timeoutMs ?? 15_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const reason = lastError ? `: ${lastError.message}` : '';
        reject(new Error(`Redis at ${describeRedisUrl(url)} did not answer within ${timeoutMs / 1000} s${reason}. Check REDIS_URL.`));
      }, timeoutMs);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
      redis.connect().catch(() => undefined); // retried by retryStrategy; the timer decides
    });
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return redis;
}

/** Logs each outage once (not every reconnect attempt) and the recovery. */
export function logRedisState(redis: Redis, logger: Logger): void {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.error({ err: error }, 'Redis connection lost; reconnecting (requests that need it answer 503 meanwhile)');
  });
  redis.on('close', () => {
    if (down) return;
    down = true;
    logger.warn({}, 'Redis connection closed; reconnecting');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({}, 'Redis connection restored');
  });
}

/** True when Redis answers PING within `timeoutMs`: the readiness check. */
export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([redis.ping().then((pong) => pong === 'PONG', () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
