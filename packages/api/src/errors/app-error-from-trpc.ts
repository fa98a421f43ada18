import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { AppError, ERROR_STATUS, storageFullError, toAppError } from '@image2model/core';
import { fieldIssues, type IssueLike } from './field-issues.js';
import { APP_CODE_BY_TRPC_CODE } from './trpc-codes.js';

const MALFORMED = 'Malformed request: send a JSON object body with Content-Type: application/json';

/** tRPC's own words are about tRPC: these say what the caller should send instead. */
const MESSAGE_BY_TRPC_CODE: Partial<Record<TRPC_ERROR_CODE_KEY, string>> = {
  BAD_REQUEST: MALFORMED,
  PARSE_ERROR: MALFORMED,
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported content type: send a JSON body with Content-Type: application/json',
  METHOD_NOT_SUPPORTED: 'Wrong HTTP method: call queries with GET and mutations with POST',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  NOT_FOUND: 'Not found',
};

function isZodErrorLike(cause: unknown): cause is Error & { issues: IssueLike[] } {
  return cause instanceof Error && cause.name === 'ZodError' && Array.isArray((cause as { issues?: unknown }).issues);
}

/** Turns whatever a procedure or trpc-to-openapi threw into the one AppError the REST body shows. */
export function appErrorFromTrpc(error: TRPCError): AppError {
  if (error.cause instanceof AppError) return error.cause;
  if (isZodErrorLike(error.cause)) {
    const issues = fieldIssues(error.cause.issues);
    const first = issues[0];
    const summary = first ? `${first.field}: ${first.message}` : 'invalid input';
    return new AppError('VALIDATION_ERROR', `Invalid request parameters (${summary})`, { details: { issues } });
  }
  const code = APP_CODE_BY_TRPC_CODE[error.code];
  // A 5xx with no AppError behind it is unexpected whatever its tRPC code, and a full disk under a
  // procedure's wrapped error is still a 507.
  if (code === undefined || ERROR_STATUS[code] >= 500) {
    return storageFullError(error) ?? new AppError('PROCESSING_ERROR', 'Internal processing error', { cause: error });
  }
  return new AppError(code, MESSAGE_BY_TRPC_CODE[error.code] ?? error.message);
}

export function appErrorFromUnknown(error: unknown): AppError {
  if (error instanceof TRPCError) return appErrorFromTrpc(error);
  return toAppError(error);
}
