import { ERROR_STATUS, type ErrorCode } from '@image2model/core';
import type { OpenAPIObject } from 'trpc-to-openapi';

type Components = NonNullable<OpenAPIObject['components']>;
export type HeaderObject = NonNullable<Components['headers']>[string];
export type ResponseObject = NonNullable<Components['responses']>[string];

/** The headers the service promises, as `components.headers`; each is required where it is listed. */
export const HEADERS = {
  'X-Request-ID': {
    description:
      "The request's id: the caller's own X-Request-ID when it is a plain token (1–128 of `A-Za-z0-9._:-`), else one the server makes. Every log line of the request carries it.",
    required: true,
    schema: { type: 'string' },
  },
  'X-RateLimit-Limit': {
    description: 'Requests allowed in the tighter of the per-minute and per-hour windows',
    required: true,
    schema: { type: 'integer', minimum: 0 },
  },
  'X-RateLimit-Remaining': { description: 'Requests left in that window', required: true, schema: { type: 'integer', minimum: 0 } },
  'X-RateLimit-Reset': { description: 'When that window starts again, in Unix seconds', required: true, schema: { type: 'integer', minimum: 0 } },
  'Retry-After': { description: 'Seconds to wait before trying again', required: true, schema: { type: 'integer', minimum: 1 } },
  'Content-Disposition': {
    description: 'An attachment with a safe ASCII `filename` and the full name as UTF-8 in `filename*` (RFC 6266)',
    required: true,
    schema: { type: 'string' },
  },
  Location: { description: "The provider's copy of the model", required: true, schema: { type: 'string', format: 'uri' } },
  'Idempotent-Replayed': {
    description: 'Present (`true`) only when this is the answer to an earlier request with the same Idempotency-Key, sent again: nothing new was created',
    required: false,
    schema: { type: 'string', enum: ['true'] },
  },
} as const satisfies Record<string, HeaderObject>;

export type HeaderName = keyof typeof HEADERS;

/** A reference to one of HEADERS, as responses list them. */
export const headerRef = (name: HeaderName): HeaderObject => ({ $ref: `#/components/headers/${name}` });

const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'] as const;

/**
 * The headers every answer of an operation carries. A 503 may come from the limiter itself, before
 * it counted the request, so there the rate-limit headers are listed but not required.
 */
export function commonHeaders(opts: { rateLimited: boolean; status: number }): Record<string, HeaderObject> {
  const headers: Record<string, HeaderObject> = { 'X-Request-ID': headerRef('X-Request-ID') };
  if (!opts.rateLimited) return headers;
  for (const name of RATE_LIMIT_HEADERS) headers[name] = opts.status === 503 ? { ...HEADERS[name], required: false } : headerRef(name);
  if (opts.status === ERROR_STATUS.RATE_LIMIT_EXCEEDED) headers['Retry-After'] = headerRef('Retry-After');
  return headers;
}

/** What each code means to a caller; `satisfies` makes a code added to core need a line here. */
const ERROR_MEANINGS = {
  VALIDATION_ERROR: 'Invalid request parameters; `message` names the field, `details` may list each problem',
  AUTHENTICATION_REQUIRED: 'Missing or unknown API key (or, where allowed, no session_id instead)',
  INVALID_API_KEY: 'The API key is valid but not allowed here (an admin key is needed)',
  NOT_FOUND: 'No such job or file for these credentials (another key’s job is not found either)',
  CONFLICT: 'The file is still pending or processing; on retry, `details.reason: "nothing_to_retry"` when no file failed or was cancelled; or a request with the same Idempotency-Key is still being processed (`details.reason: "idempotency_key_in_use"`): try again once it has been answered',
  FILE_TOO_LARGE: 'A file or request body over the size limit',
  IDEMPOTENCY_KEY_REUSED: 'The Idempotency-Key was already used, within 24 h, for a different request: send a new key with each new request',
  RATE_LIMIT_EXCEEDED:
    'Too many requests; `Retry-After` says when to try again, `details.reason` which limit: `minute` or `hour` (requests per window), `streams` (open event streams and downloads), `active_files` (upload, retry and generate-single: the key\'s files pending or processing would pass `details.limit`; `details.active_files` and `details.requested` give the counts: wait for files to finish, or cancel some)',
  PROCESSING_ERROR: 'An unexpected server error; the X-Request-ID finds its cause in the logs',
  FAL_API_ERROR: 'The FAL.AI service failed',
  SERVICE_UNAVAILABLE: 'A store the service needs (e.g. Redis) is unavailable or full; try again shortly',
  INSUFFICIENT_STORAGE: 'The server is out of storage space, so nothing was stored; try again later',
} as const satisfies Record<ErrorCode, string>;

/**
 * The error answer for one status: the spec's body (the shared Error component), the common headers,
 * and what each code answered with this status means.
 */
export function errorResponse(status: number, codes: readonly ErrorCode[], opts: { rateLimited: boolean }): ResponseObject {
  return {
    description: codes.map((code) => `\`${code}\`: ${ERROR_MEANINGS[code]}`).join('. '),
    headers: commonHeaders({ rateLimited: opts.rateLimited, status }),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
}
