import { AppError } from '../../errors.js';
import { FalHttpError, FalTransportError } from './fal-transport.js';

/**
 * How one failed FAL call is treated. `transient`: FAL did not answer usefully now (429, 5xx, 408,
 * timeouts, refused or dropped connections), so the call is retried with backoff. `permanent`:
 * the same call would fail again (bad key, bad input, unknown request), so the file fails at once.
 */
export interface FalFailure {
  transient: boolean;
  /** A short reason for logs and messages, never containing the key. */
  reason: string;
  status: number | null;
  retryAfterSeconds: number | null;
  original: unknown;
}

/** FAL's error bodies: `{detail: "…"}` (request errors) or `{detail: [{loc, msg, type}]}` (model errors). */
export function falReason(body: unknown): string | null {
  if (typeof body === 'string') return body.trim().slice(0, 300) || null;
  if (typeof body !== 'object' || body === null) return null;
  const { detail, message } = body as { detail?: unknown; message?: unknown };
  if (typeof detail === 'string' && detail.length > 0) return detail.slice(0, 300);
  if (Array.isArray(detail)) {
    const parts = detail
      .map((item: unknown) => {
        if (typeof item !== 'object' || item === null) return null;
        const { loc, msg } = item as { loc?: unknown; msg?: unknown };
        if (typeof msg !== 'string') return null;
        const field = Array.isArray(loc) ? loc.filter((p) => p !== 'body').join('.') : '';
        return field ? `${field}: ${msg}` : msg;
      })
      .filter((part): part is string => part !== null);
    if (parts.length > 0) return parts.join('; ').slice(0, 300);
  }
  if (typeof message === 'string' && message.length > 0) return message.slice(0, 300);
  return null;
}

function isTimeoutLike(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

export function classifyFalError(error: unknown): FalFailure {
  if (error instanceof FalHttpError) {
    const transient = error.status === 408 || error.status === 429 || error.status >= 500;
    const detail = falReason(error.body);
    return {
      transient,
      reason: `HTTP ${error.status}${detail ? `: ${detail}` : ''}`,
      status: error.status,
      retryAfterSeconds: error.retryAfterSeconds,
      original: error,
    };
  }
  if (error instanceof FalTransportError) {
    return { transient: true, reason: error.message, status: null, retryAfterSeconds: null, original: error };
  }
  // A body read cut short by our time limit surfaces from inside the client as a plain DOMException.
  if (isTimeoutLike(error)) return { transient: true, reason: 'no complete answer in time', status: null, retryAfterSeconds: null, original: error };
  if (error instanceof TypeError && /fetch failed|terminated/i.test(error.message)) {
    return { transient: true, reason: 'connection dropped', status: null, retryAfterSeconds: null, original: error };
  }
  if (error instanceof SyntaxError) {
    // FAL answered 2xx with a body that is not JSON: a proxy or CDN glitch, worth another try.
    return { transient: true, reason: 'unreadable answer', status: null, retryAfterSeconds: null, original: error };
  }
  return { transient: false, reason: (error as Error)?.message ?? String(error), status: null, retryAfterSeconds: null, original: error };
}

/**
 * The AppError a file fails with. The messages are public (FAL_API_ERROR is shown to the caller),
 * so they say what FAL answered and what to do, and never contain the key.
 */
export function falAppError(failure: FalFailure, what: string, opts: { attempts?: number; requestId?: string | null } = {}): AppError {
  const { status, reason } = failure;
  const cause = failure.original;
  const details = { ...(status !== null ? { fal_status: status } : {}), ...(opts.requestId ? { request_id: opts.requestId } : {}) };
  if (status === 401 || status === 403) {
    return new AppError(
      'FAL_API_ERROR',
      `FAL rejected the API key while ${what} (HTTP ${status}): FAL_KEY is missing, wrong or revoked, or lacks access to tripo3d/tripo; set a valid FAL_KEY and restart`,
      { cause, retryable: false, details },
    );
  }
  if (status === 422) {
    const detail = falReason((failure.original as FalHttpError).body) ?? 'no reason given';
    return new AppError('FAL_API_ERROR', `FAL rejected the input while ${what}: ${detail}`, { cause, retryable: false, details });
  }
  if (failure.transient) {
    const tries = opts.attempts ? ` after ${opts.attempts} attempts` : '';
    return new AppError('FAL_API_ERROR', `FAL was unavailable while ${what}${tries} (${reason}); try again later`, {
      cause,
      retryable: false,
      details,
    });
  }
  return new AppError('FAL_API_ERROR', `FAL failed while ${what} (${reason})`, { cause, retryable: false, details });
}
