import { TRPCError } from '@trpc/server';
import { AppError, storageFullError, toAppError } from '@image2model/core';

interface IssueLike {
  path: PropertyKey[];
  message: string;
}

function isZodErrorLike(cause: unknown): cause is Error & { issues: IssueLike[] } {
  return cause instanceof Error && cause.name === 'ZodError' && Array.isArray((cause as { issues?: unknown }).issues);
}

function describeIssues(issues: IssueLike[]) {
  return issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(body)', message: issue.message }));
}

/** Turns whatever a procedure or trpc-to-openapi threw into the one AppError the REST body shows. */
export function appErrorFromTrpc(error: TRPCError): AppError {
  if (error.cause instanceof AppError) return error.cause;
  if (isZodErrorLike(error.cause)) {
    const issues = describeIssues(error.cause.issues);
    const first = issues[0];
    const summary = first ? `${first.field}: ${first.message}` : 'invalid input';
    return new AppError('VALIDATION_ERROR', `Invalid request parameters (${summary})`, { details: { issues } });
  }
  switch (error.code) {
    case 'BAD_REQUEST':
    case 'PARSE_ERROR':
      return new AppError('VALIDATION_ERROR', 'Malformed request: send a JSON object body with Content-Type: application/json');
    case 'UNSUPPORTED_MEDIA_TYPE':
      return new AppError('VALIDATION_ERROR', 'Unsupported content type: send a JSON body with Content-Type: application/json');
    case 'METHOD_NOT_SUPPORTED':
      return new AppError('VALIDATION_ERROR', 'Wrong HTTP method: call queries with GET and mutations with POST');
    case 'PAYLOAD_TOO_LARGE':
      return new AppError('FILE_TOO_LARGE', 'Request body too large');
    case 'NOT_FOUND':
      return new AppError('NOT_FOUND', 'Not found');
    case 'UNAUTHORIZED':
      return new AppError('AUTHENTICATION_REQUIRED', error.message);
    case 'FORBIDDEN':
      return new AppError('INVALID_API_KEY', error.message);
    case 'TOO_MANY_REQUESTS':
      return new AppError('RATE_LIMIT_EXCEEDED', error.message);
    case 'CONFLICT':
      return new AppError('CONFLICT', error.message);
    default:
      // A procedure's unexpected error arrives wrapped: a full disk under it is still a 507.
      return storageFullError(error) ?? new AppError('PROCESSING_ERROR', 'Internal processing error', { cause: error });
  }
}

export function appErrorFromUnknown(error: unknown): AppError {
  if (error instanceof TRPCError) return appErrorFromTrpc(error);
  return toAppError(error);
}
