import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { TRPCError } from '@trpc/server';
import { AppError, ERROR_STATUS, type ErrorCode } from '@image2model/core';
import { describe, expect, it } from 'vitest';
import { appErrorFromTrpc } from './app-error-from-trpc.js';
import { fieldIssues } from './field-issues.js';
import { APP_CODE_BY_TRPC_CODE, TRPC_CODE } from './trpc-codes.js';

const CODES = Object.keys(ERROR_STATUS) as ErrorCode[];
const MALFORMED = 'Malformed request: send a JSON object body with Content-Type: application/json';
const HIDDEN = { code: 'PROCESSING_ERROR', message: 'Internal processing error' };

describe("the tRPC mapping is core's error table", () => {
  it.each(CODES)('%s answers the same HTTP status on /trpc as on /api/v1', (code) => {
    const status = getHTTPStatusCodeFromError(new TRPCError({ code: TRPC_CODE[code] }));
    // tRPC has no 507: a full disk is a 500 on /trpc (the typed client reads httpStatus 507 from the error's data).
    expect(status).toBe(code === 'INSUFFICIENT_STORAGE' ? 500 : ERROR_STATUS[code]);
  });

  it.each(CODES.filter((code) => ERROR_STATUS[code] < 500))('a tRPC error with the code of %s maps back to it', (code) => {
    expect(appErrorFromTrpc(new TRPCError({ code: TRPC_CODE[code] })).code).toBe(code);
  });

  it("reverses the table into tRPC's code → ours, the shared INTERNAL_SERVER_ERROR aside, malformed requests added", () => {
    expect(APP_CODE_BY_TRPC_CODE).toEqual({
      BAD_REQUEST: 'VALIDATION_ERROR',
      UNAUTHORIZED: 'AUTHENTICATION_REQUIRED',
      FORBIDDEN: 'INVALID_API_KEY',
      NOT_FOUND: 'NOT_FOUND',
      CONFLICT: 'CONFLICT',
      PAYLOAD_TOO_LARGE: 'FILE_TOO_LARGE',
      UNPROCESSABLE_CONTENT: 'IDEMPOTENCY_KEY_REUSED',
      TOO_MANY_REQUESTS: 'RATE_LIMIT_EXCEEDED',
      BAD_GATEWAY: 'FAL_API_ERROR',
      SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
      PARSE_ERROR: 'VALIDATION_ERROR',
      UNSUPPORTED_MEDIA_TYPE: 'VALIDATION_ERROR',
      METHOD_NOT_SUPPORTED: 'VALIDATION_ERROR',
    });
  });

  it('maps every tRPC code, raised without an AppError, to the same code and message as before the table was derived', () => {
    const mapped = Object.fromEntries(
      (Object.keys(TRPC_ERROR_CODES_BY_KEY) as TRPC_ERROR_CODE_KEY[]).map((trpcCode) => {
        const error = appErrorFromTrpc(new TRPCError({ code: trpcCode, message: 'raised' }));
        return [trpcCode, { code: error.code, message: error.message }];
      }),
    );
    expect(mapped).toEqual({
      PARSE_ERROR: { code: 'VALIDATION_ERROR', message: MALFORMED },
      BAD_REQUEST: { code: 'VALIDATION_ERROR', message: MALFORMED },
      UNSUPPORTED_MEDIA_TYPE: { code: 'VALIDATION_ERROR', message: 'Unsupported content type: send a JSON body with Content-Type: application/json' },
      METHOD_NOT_SUPPORTED: { code: 'VALIDATION_ERROR', message: 'Wrong HTTP method: call queries with GET and mutations with POST' },
      PAYLOAD_TOO_LARGE: { code: 'FILE_TOO_LARGE', message: 'Request body too large' },
      NOT_FOUND: { code: 'NOT_FOUND', message: 'Not found' },
      UNAUTHORIZED: { code: 'AUTHENTICATION_REQUIRED', message: 'raised' },
      FORBIDDEN: { code: 'INVALID_API_KEY', message: 'raised' },
      TOO_MANY_REQUESTS: { code: 'RATE_LIMIT_EXCEEDED', message: 'raised' },
      CONFLICT: { code: 'CONFLICT', message: 'raised' },
      UNPROCESSABLE_CONTENT: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'raised' },
      // A 5xx without an AppError behind it is unexpected, whatever its tRPC code: its message stays in the logs.
      INTERNAL_SERVER_ERROR: HIDDEN,
      NOT_IMPLEMENTED: HIDDEN,
      BAD_GATEWAY: HIDDEN,
      SERVICE_UNAVAILABLE: HIDDEN,
      GATEWAY_TIMEOUT: HIDDEN,
      TIMEOUT: HIDDEN,
      PRECONDITION_FAILED: HIDDEN,
      PRECONDITION_REQUIRED: HIDDEN,
      PAYMENT_REQUIRED: HIDDEN,
      CLIENT_CLOSED_REQUEST: HIDDEN,
    });
  });

  it('keeps the AppError a procedure threw, and finds a full disk under an unexpected error', () => {
    const busy = new AppError('CONFLICT', 'busy', { details: { job_id: 'j' } });
    expect(appErrorFromTrpc(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: busy }))).toBe(busy);
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    expect(appErrorFromTrpc(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: full })).code).toBe('INSUFFICIENT_STORAGE');
  });
});

describe('fieldIssues', () => {
  it('names each issue by its dotted path, and an empty path by the caller\'s word for the whole input', () => {
    const issues = [
      { path: ['files', 0, 'name'], message: 'Required' },
      { path: [], message: 'Expected object' },
    ];
    expect(fieldIssues(issues)).toEqual([
      { field: 'files.0.name', message: 'Required' },
      { field: '(body)', message: 'Expected object' },
    ]);
    expect(fieldIssues(issues, '(form)')[1]).toEqual({ field: '(form)', message: 'Expected object' });
  });
});
