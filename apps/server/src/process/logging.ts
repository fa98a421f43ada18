import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Env } from '../env.js';
import { LogBuffer, type LogSink } from '../logging/log-buffer.js';
import { createLogger } from '../logging/logger.js';
import type { RedisLogStream } from '../logging/redis-log-stream.js';

export type LoggingRole = 'api' | 'worker';

export interface ProcessLogging<R extends LoggingRole> {
  logger: Logger;
  /** An API process's own lines (GET /logs in embedded mode); a worker keeps none. */
  logBuffer: R extends 'api' ? LogBuffer : null;
  /** Distributed mode: every process's lines in one Redis stream (GET /logs reads it). */
  redisLogs: RedisLogStream | null;
  /** Writes what is pending to Redis; the Redis client stays open. */
  close(): Promise<void>;
}

/**
 * JSON lines to stdout (or `destination`) and to the process's log stores. With Redis, each line
 * says which process wrote it, since several write one log.
 */
export async function createProcessLogging<R extends LoggingRole>(opts: {
  env: Pick<Env, 'LOG_LEVEL' | 'REDIS_PREFIX'>;
  role: R;
  redis: Redis | null;
  destination?: NodeJS.WritableStream | undefined;
}): Promise<ProcessLogging<R>> {
  const { env, role, redis } = opts;
  const logBuffer = role === 'api' ? new LogBuffer() : null;
  // Loaded only in distributed mode (cold start).
  const redisLogs = redis ? new (await import('../logging/redis-log-stream.js')).RedisLogStream({ redis, prefix: env.REDIS_PREFIX }) : null;
  const sinks = [logBuffer, redisLogs].filter((sink): sink is LogSink & (LogBuffer | RedisLogStream) => sink !== null);
  const logger = createLogger({
    level: env.LOG_LEVEL,
    buffer: { write: (line) => sinks.forEach((sink) => sink.write(line)) },
    destination: opts.destination,
    ...(redis ? { base: { role, pid: process.pid } } : {}),
  });
  return {
    logger,
    logBuffer: logBuffer as ProcessLogging<R>['logBuffer'],
    redisLogs,
    close: async () => {
      await redisLogs?.close();
    },
  };
}
