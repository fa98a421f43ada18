import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';
import type { LogSink } from './log-buffer.js';

/** The request id of whatever is running now (HTTP request or job step), for every log line. */
export const correlation = new AsyncLocalStorage<{ correlationId: string }>();

/** JSON lines to stdout (or `destination`) and to `buffer`, the store behind GET /logs. */
export function createLogger(opts: { level: string; buffer: LogSink; destination?: NodeJS.WritableStream; base?: Record<string, unknown> }): Logger {
  const level = opts.level;
  return pino(
    {
      level,
      base: opts.base,
      timestamp: pino.stdTimeFunctions.epochTime,
      mixin() {
        const store = correlation.getStore();
        return store ? { correlation_id: store.correlationId } : {};
      },
      // Keys must never reach a log line, whatever a caller puts where.
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'authorization', 'apiKey', 'api_key', 'key'],
        censor: '[redacted]',
      },
    },
    pino.multistream([
      { level: level === 'silent' ? 'fatal' : (level as pino.Level), stream: opts.destination ?? process.stdout },
      { level: level === 'silent' ? 'fatal' : (level as pino.Level), stream: { write: (line: string) => opts.buffer.write(line) } },
    ]),
  );
}
