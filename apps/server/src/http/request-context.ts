import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { correlation } from '../logging/logger.js';

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request ids only need to be unique, not secret: a random per-process prefix (several API
 * processes share one log in distributed mode) and a counter, instead of random bytes per request.
 */
const PROCESS_PREFIX = randomBytes(6).toString('base64url');
let sequence = 0;

/**
 * Takes the caller's X-Request-ID (when it is a sane token) or makes one, echoes it, and runs the
 * rest of the request inside it, so every log line carries it as correlation_id.
 */
export const requestContext: RequestHandler = function requestContext(req, res, next) {
  const given = req.get('x-request-id');
  const requestId = given !== undefined && CLIENT_ID.test(given) ? given : `req_${PROCESS_PREFIX}${(sequence += 1).toString(36)}`;
  res.locals.requestId = requestId;
  res.setHeader('X-Request-ID', requestId);
  correlation.run({ correlationId: requestId }, next);
};
