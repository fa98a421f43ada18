import type { RequestHandler } from 'express';
import { appErrorFromUnknown } from '@image2model/api';
import type { Logger } from 'pino';
import type { ContextFactoryOptions } from './context.js';
import { publicUrlOf } from './identity.js';
import { callerFor } from './caller.js';
import { sendError } from './error-handler.js';
import { JobEventFanout } from './event-fanout.js';

export interface EventStreamOptions extends ContextFactoryOptions {
  logger: Logger;
  /** Comment lines that keep idle connections (and proxies) open. */
  heartbeatMs: number;
}

/**
 * `GET /api/v1/status/stream/{job_id}`: who may follow a job is decided by the `status.get`
 * procedure (same input schema, access rule and errors as the status endpoint, so an unknown job
 * is a plain JSON 404 before the first byte); the events themselves come from the shared per-job
 * fan-out, as `id:` + `data:` lines carrying the same wire events as the tRPC subscription.
 */
export function createEventStreamHandler(opts: EventStreamOptions): RequestHandler {
  const fanout = new JobEventFanout({ events: opts.services.events, heartbeatMs: opts.heartbeatMs, logger: opts.logger });
  return async function streamEvents(req, res) {
    const header = req.get('last-event-id');
    const query = req.query.last_event_id;
    const lastEventId = (header ?? (typeof query === 'string' ? query : undefined))?.slice(0, 64) || null;

    let sessionId: string;
    try {
      const input = { job_id: req.params.job_id, session_id: req.query.session_id || undefined } as { job_id: string; session_id?: string };
      sessionId = (await callerFor(opts, req, res).status.get(input)).session_id;
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
    // HEAD gets the headers only: frames go straight to the socket, past Node's HEAD handling.
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.write('retry: 2000\n\n');
    await fanout.follow({ res, jobId: String(req.params.job_id), sessionId, publicUrl: publicUrlOf(req, opts.publicUrl), lastEventId });
  };
}
