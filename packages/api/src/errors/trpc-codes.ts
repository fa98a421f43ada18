import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { ErrorCode } from '@image2model/core';

/**
 * Our codes as tRPC's, so /trpc and /api/v1 answer the same status: errors.test.ts checks each
 * against core's ERROR_STATUS.
 */
export const TRPC_CODE = {
  VALIDATION_ERROR: 'BAD_REQUEST',
  AUTHENTICATION_REQUIRED: 'UNAUTHORIZED',
  INVALID_API_KEY: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  IDEMPOTENCY_KEY_REUSED: 'UNPROCESSABLE_CONTENT',
  RATE_LIMIT_EXCEEDED: 'TOO_MANY_REQUESTS',
  PROCESSING_ERROR: 'INTERNAL_SERVER_ERROR',
  FAL_API_ERROR: 'BAD_GATEWAY',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INSUFFICIENT_STORAGE: 'INTERNAL_SERVER_ERROR', // tRPC has no 507: the REST layer sets it from AppError
} as const satisfies Record<ErrorCode, TRPC_ERROR_CODE_KEY>;

/** tRPC's codes for a request it could not read at all: to a caller, a malformed request. */
const MALFORMED_REQUEST_CODES = ['PARSE_ERROR', 'UNSUPPORTED_MEDIA_TYPE', 'METHOD_NOT_SUPPORTED'] as const;

/**
 * tRPC's code → ours: TRPC_CODE reversed, without INTERNAL_SERVER_ERROR (two of our codes share
 * it), plus the malformed-request codes. The client's generator copies it into the client.
 */
export const APP_CODE_BY_TRPC_CODE: Readonly<Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>>> = reverseTrpcCodes();

function reverseTrpcCodes(): Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> {
  const byTrpcCode: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {};
  for (const code of Object.keys(TRPC_CODE) as ErrorCode[]) {
    if (TRPC_CODE[code] !== 'INTERNAL_SERVER_ERROR') byTrpcCode[TRPC_CODE[code]] = code;
  }
  for (const trpcCode of MALFORMED_REQUEST_CODES) byTrpcCode[trpcCode] = 'VALIDATION_ERROR';
  return byTrpcCode;
}
