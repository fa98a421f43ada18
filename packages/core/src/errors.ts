/** The public error codes are the spec's (plus the few we add), each with its one HTTP status. */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  AUTHENTICATION_REQUIRED: 401,
  INVALID_API_KEY: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FILE_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMIT_EXCEEDED: 429,
  PROCESSING_ERROR: 500,
  FAL_API_ERROR: 502,
  SERVICE_UNAVAILABLE: 503,
  INSUFFICIENT_STORAGE: 507,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface AppErrorOptions {
  cause?: unknown;
  /** Read by the queue: transient failures are retried with backoff, the rest fail at once. */
  retryable?: boolean;
  details?: Record<string, unknown>;
}

export interface ErrorBody {
  detail: { code: ErrorCode; message: string; details: Record<string, unknown> };
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly opts: AppErrorOptions = {},
  ) {
    super(message, { cause: opts.cause });
    this.status = ERROR_STATUS[code];
  }

  get retryable(): boolean {
    return this.opts.retryable ?? false;
  }

  /**
   * Only 4xx messages are shown to callers; 5xx messages stay in logs, except those we write to
   * tell the caller what to do (an upstream failure, an unavailable service, a full disk).
   */
  get isPublic(): boolean {
    return this.status < 500 || this.code === 'FAL_API_ERROR' || this.code === 'SERVICE_UNAVAILABLE' || this.code === 'INSUFFICIENT_STORAGE';
  }

  /** The one wire shape, for every route and transport. */
  toBody(): ErrorBody {
    const message = this.isPublic ? this.message : 'Internal processing error; the request id in the logs has the cause';
    return { detail: { code: this.code, message, details: this.isPublic ? (this.opts.details ?? {}) : {} } };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** A full disk or quota, and SQLite's own word for it (the embedded job index). */
const STORAGE_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** True when a full disk (or an exhausted quota) is anywhere in the error's cause chain. */
export function isStorageFull(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 8; cause = cause.cause, depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== undefined && STORAGE_FULL_CODES.has(code)) return true;
  }
  return false;
}

/**
 * A full disk anywhere in the cause chain: the caller can only retry later and the operator must
 * free space, so it is a 507 that says so, not an anonymous 500. Null for any other error.
 */
export function storageFullError(error: unknown): AppError | null {
  if (!isStorageFull(error)) return null;
  return new AppError(
    'INSUFFICIENT_STORAGE',
    'The server is out of storage space, so nothing was stored: try again later. If this persists, the operator must free disk space for DATA_DIR',
    { cause: error },
  );
}

/** Wraps anything unexpected once, at a boundary, so callers never see internals. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return storageFullError(error) ?? new AppError('PROCESSING_ERROR', 'Internal processing error', { cause: error });
}
