import type { RequestHandler } from 'express';
import { appRouter, createCallerFactory } from '@image2model/api';
import { AppError } from '@image2model/core';
import type { Logger } from 'pino';
import { appErrorFromUnknown } from '@image2model/api';
import { createRequestContext, type ContextFactoryOptions } from './context.js';
import { sendError } from './error-handler.js';

const createCaller = createCallerFactory(appRouter);

export interface EventStreamOptions extends ContextFactoryOptions {
  logger: Logger;
  /** Comment lines that keep idle connections (and proxies) open. */
  heartbeatMs: number;
}

/**
 * `GET /api/v1/status/stream/{job_id}`: iterates the `status.onEvents` subscription through a
 * server-side caller and writes each event as `id:` + `data:` lines, so REST SSE and tRPC SSE can
 * never disagree. Errors before the first byte (401, 404) are ordinary JSON error answers.
 */
export function createEventStreamHandler(opts: EventStreamOptions): RequestHandler {
  return async function streamEvents(req, res) {
    const stop = new AbortController();
    res.on('close', () => stop.abort());
    const caller = createCaller(createRequestContext(opts, req, res), { signal: stop.signal });
    const header = req.get('last-event-id');
    const query = req.query.last_event_id;
    const lastEventId = header ?? (typeof query === 'string' ? query : undefined);
    const sessionId = typeof req.query.session_id === 'string' && req.query.session_id !== '' ? req.query.session_id : undefined;

    let events: AsyncIterable<unknown>;
    try {
      events = (await caller.status.onEvents({
        job_id: String(req.params.job_id ?? ''),
        session_id: sessionId,
        lastEventId: lastEventId?.slice(0, 64) || null,
      })) as AsyncIterable<unknown>;
    } catch (error) {
      sendError(res, appErrorFromUnknown(error), opts.logger);
      return;
    }

    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const heartbeat = setInterval(() => res.write(': ping\n\n'), opts.heartbeatMs);
    try {
      for await (const envelope of events) {
        const [id, data] = envelope as [string, unknown];
        res.write(`id: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
      }
    } catch (error) {
      if (!stop.signal.aborted) {
        const appError = error instanceof AppError ? error : appErrorFromUnknown(error);
        opts.logger.error({ err: error }, 'Event stream failed');
        res.write(`event: error\ndata: ${JSON.stringify(appError.toBody())}\n\n`);
      }
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  };
}
