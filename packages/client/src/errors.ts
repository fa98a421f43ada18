import { SERVER_CODE_BY_TRPC_CODE, SERVER_ERROR_STATUS, type ServerErrorCode } from './generated/api-types.js';

/**
 * Codes the client adds for failures that never reached the API:
 * - `NETWORK_ERROR`: no answer (nothing listening, DNS, a connection dropped and not resumed);
 * - `UNEXPECTED_RESPONSE`: something answered that is not the Image2Model API (a wrong URL, a proxy page);
 * - `INVALID_CONFIGURATION`: the client's own options are wrong (e.g. `baseUrl`);
 * - `FILE_NOT_FOUND`: a path given to `upload()` cannot be read;
 * - `INVALID_WEBHOOK_SIGNATURE`: `verifyWebhook()` refused a request (bad or missing signature, an old timestamp).
 */
export type ClientErrorCode = 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE' | 'INVALID_CONFIGURATION' | 'FILE_NOT_FOUND' | 'INVALID_WEBHOOK_SIGNATURE';

/** Every code an {@link Image2ModelError} can carry: the spec's, then the client's own. */
export type Image2ModelErrorCode = ServerErrorCode | ClientErrorCode;

export interface Image2ModelErrorInit {
  code: Image2ModelErrorCode;
  /** The HTTP status, or 0 when no answer was received. */
  status: number;
  message: string;
  details?: Record<string, unknown> | undefined;
  /** The server's `X-Request-ID`, when there was an answer: quote it when reporting a problem. */
  requestId?: string | null | undefined;
  cause?: unknown;
}

/**
 * The one error every client method throws (aborts excepted: those reject with the signal's reason).
 *
 * @example
 * try {
 *   await client.status.get.query({ job_id });
 * } catch (error) {
 *   if (error instanceof Image2ModelError && error.code === 'NOT_FOUND') console.log('no such job');
 * }
 */
export class Image2ModelError extends Error {
  override readonly name = 'Image2ModelError';
  /** The spec's error code (`NOT_FOUND`, `RATE_LIMIT_EXCEEDED`, …) or a client code (`NETWORK_ERROR`, …). */
  readonly code: Image2ModelErrorCode;
  /** The HTTP status, or 0 when no answer was received. */
  readonly status: number;
  /** The error's `details` object from the server (e.g. `{ retry_after: 12 }` on a 429), or client context. */
  readonly details: Record<string, unknown>;
  readonly requestId: string | null;

  constructor(init: Image2ModelErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.details = init.details ?? {};
    this.requestId = init.requestId ?? null;
  }

  /** The same fields as plain JSON (what the CLI prints with `--json`). */
  toJSON(): { code: Image2ModelErrorCode; status: number; message: string; details: Record<string, unknown>; request_id: string | null } {
    return { code: this.code, status: this.status, message: this.message, details: this.details, request_id: this.requestId };
  }
}

/** True for an {@link Image2ModelError}, even one made by another copy of this package. */
export function isImage2ModelError(value: unknown): value is Image2ModelError {
  return value instanceof Image2ModelError || (value instanceof Error && value.name === 'Image2ModelError' && typeof (value as { code?: unknown }).code === 'string');
}

/** Core's table reversed (each status has one code), for answers that carry a status but no code of ours. */
const CODE_BY_STATUS: ReadonlyMap<number, ServerErrorCode> = new Map(
  (Object.entries(SERVER_ERROR_STATUS) as [ServerErrorCode, number][]).map(([code, status]) => [status, code]),
);

const SERVER_CODES: ReadonlySet<string> = new Set(Object.keys(SERVER_ERROR_STATUS));

/** tRPC's codes, for errors raised without one of ours; a Map, so `constructor` or `toString` finds nothing. */
const CODE_BY_TRPC_CODE: ReadonlyMap<string, ServerErrorCode> = new Map(Object.entries(SERVER_CODE_BY_TRPC_CODE));

export function isServerErrorCode(code: unknown): code is ServerErrorCode {
  return typeof code === 'string' && SERVER_CODES.has(code);
}

type ParsedErrorBody = { code: ServerErrorCode; message: string; details: Record<string, unknown> };

function asDetails(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/**
 * `{"detail": {code, message, details}}` (REST), or tRPC's serialized error shape
 * `{"error": {"json": {message, data: {appCode, details}}}}` that /trpc answers before tRPC runs
 * (the rate limiter); null for any other body.
 */
export function readErrorBody(body: unknown): ParsedErrorBody | null {
  const detail = (body as { detail?: unknown } | null)?.detail as { code?: unknown; message?: unknown; details?: unknown } | undefined;
  if (detail && isServerErrorCode(detail.code) && typeof detail.message === 'string') {
    return { code: detail.code, message: detail.message, details: asDetails(detail.details) };
  }
  const shape = (body as { error?: { json?: { message?: unknown; data?: { appCode?: unknown; details?: unknown } } } } | null)?.error?.json;
  if (shape && isServerErrorCode(shape.data?.appCode) && typeof shape.message === 'string') {
    return { code: shape.data.appCode, message: shape.message, details: asDetails(shape.data.details) };
  }
  return null;
}

/**
 * Turns an HTTP answer that is not OK into the error it reports. An answer without the spec's
 * error body did not come from the API (a wrong URL, a proxy), and says so.
 */
export async function errorFromResponse(response: Response, what: string): Promise<Image2ModelError> {
  const requestId = response.headers.get('x-request-id');
  const type = response.headers.get('content-type') ?? '';
  let body: unknown = null;
  if (type.includes('json')) body = await response.json().catch(() => null);
  else await response.body?.cancel().catch(() => undefined);
  const parsed = readErrorBody(body);
  if (parsed) return new Image2ModelError({ ...parsed, status: response.status, requestId });
  return unexpectedResponse(response.status, type, what, requestId);
}

export function unexpectedResponse(status: number, contentType: string, what: string, requestId: string | null = null): Image2ModelError {
  const kind = contentType.split(';')[0]?.trim() || 'no content type';
  return new Image2ModelError({
    code: 'UNEXPECTED_RESPONSE',
    status,
    message: `${what} answered ${status} (${kind}), not as the Image2Model API would: is the server URL right?`,
    details: { content_type: kind },
    requestId,
  });
}

/** What fetch throws when nothing answers, with the reason it gives (ECONNREFUSED, ENOTFOUND, …). */
export function networkError(cause: unknown, target: string): Image2ModelError {
  const reason = describeNetworkCause(cause);
  return new Image2ModelError({
    code: 'NETWORK_ERROR',
    status: 0,
    message: `Cannot reach the Image2Model server at ${target}${reason ? ` (${reason})` : ''}`,
    details: reason ? { reason } : {},
    cause,
  });
}

function describeNetworkCause(cause: unknown): string {
  let current: unknown = cause;
  for (let depth = 0; depth < 4 && current; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    const next = (current as { cause?: unknown }).cause;
    if (!next && typeof message === 'string' && message !== 'fetch failed') return message;
    current = next;
  }
  return '';
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

interface TrpcErrorLike {
  message?: unknown;
  data?: { code?: unknown; httpStatus?: unknown; appCode?: unknown; details?: unknown } | null;
  meta?: { response?: { status?: unknown; headers?: { get?: (name: string) => string | null } }; responseJSON?: unknown };
  cause?: unknown;
}

/**
 * Maps whatever a tRPC call rejected with: the server's error (`data.appCode`, `data.httpStatus`,
 * `data.details`), a REST-shaped body from middleware in front of /trpc (the rate limiter), a
 * foreign answer, or a network failure.
 */
export function errorFromTrpc(error: unknown, target: string): Image2ModelError {
  if (isImage2ModelError(error)) return error;
  const e = (error ?? {}) as TrpcErrorLike;
  // Our own fetch wrapper already said what went wrong.
  if (isImage2ModelError(e.cause)) return e.cause;
  const message = typeof e.message === 'string' ? e.message : 'Request failed';
  const response = e.meta?.response;
  const requestId = response?.headers?.get?.('x-request-id') ?? null;
  const data = e.data;
  if (data && typeof data.httpStatus === 'number') {
    const status = data.httpStatus;
    const code = isServerErrorCode(data.appCode) ? data.appCode : (CODE_BY_TRPC_CODE.get(String(data.code)) ?? CODE_BY_STATUS.get(status) ?? 'PROCESSING_ERROR');
    const details = data.details && typeof data.details === 'object' ? (data.details as Record<string, unknown>) : {};
    return new Image2ModelError({ code, status, message, details, requestId, cause: error });
  }
  const body = readErrorBody(e.meta?.responseJSON);
  const status = typeof response?.status === 'number' ? response.status : 0;
  if (body) return new Image2ModelError({ ...body, status, requestId, cause: error });
  if (status > 0) return unexpectedResponse(status, response?.headers?.get?.('content-type') ?? '', target, requestId);
  return networkError(e.cause ?? error, target);
}
