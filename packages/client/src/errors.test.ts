import { describe, expect, it } from 'vitest';
import { errorFromResponse, errorFromTrpc, Image2ModelError, isImage2ModelError, isServerErrorCode, readErrorBody } from './errors.js';
import { normalizeBaseUrl } from './config.js';
import { filenameFromDisposition } from './downloads.js';

describe('normalizeBaseUrl', () => {
  it.each([
    ['http://localhost:8000', 'http://localhost:8000'],
    ['http://localhost:8000/', 'http://localhost:8000'],
    ['http://localhost:8000/api/v1', 'http://localhost:8000'],
    ['https://example.com/api/v1/', 'https://example.com'],
    ['https://example.com/image2model/api/v1', 'https://example.com/image2model'],
  ])('reads %s as %s', (input, origin) => {
    expect(normalizeBaseUrl(input)).toBe(origin);
  });

  it('refuses what is not an http(s) URL', () => {
    for (const bad of ['localhost:8000', 'ftp://host', '']) {
      expect(() => normalizeBaseUrl(bad)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIGURATION', status: 0 }));
    }
  });
});

describe('mapping errors', () => {
  it('reads the REST error body, and nothing else, as the API error', () => {
    expect(readErrorBody({ detail: { code: 'NOT_FOUND', message: 'Job not found', details: { a: 1 } } })).toEqual({ code: 'NOT_FOUND', message: 'Job not found', details: { a: 1 } });
    expect(readErrorBody({ detail: { code: 'SOMETHING_ELSE', message: 'x' } })).toBeNull();
    expect(readErrorBody({ detail: 'Not Found' })).toBeNull();
    expect(readErrorBody(null)).toBeNull();
    // tRPC's serialized shape, which /trpc answers before tRPC runs (the rate limiter)
    const trpcShape = { error: { json: { message: 'Rate limit exceeded', code: -32029, data: { appCode: 'RATE_LIMIT_EXCEEDED', httpStatus: 429, details: { retry_after: 3 } } } } };
    expect(readErrorBody(trpcShape)).toEqual({ code: 'RATE_LIMIT_EXCEEDED', message: 'Rate limit exceeded', details: { retry_after: 3 } });
    expect(readErrorBody({ error: { json: { message: 'x', data: { appCode: 'NOPE' } } } })).toBeNull();
  });

  it('maps a REST answer with its status and request id', async () => {
    const response = new Response(JSON.stringify({ detail: { code: 'CONFLICT', message: 'busy', details: {} } }), {
      status: 409,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req_1' },
    });
    expect((await errorFromResponse(response, 'POST /x')).toJSON()).toEqual({ code: 'CONFLICT', status: 409, message: 'busy', details: {}, request_id: 'req_1' });
    const html = await errorFromResponse(new Response('<html>', { status: 502, headers: { 'content-type': 'text/html' } }), 'GET /y');
    expect(html).toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 502 });
  });

  it("prefers the server's appCode, then tRPC's code, then the status", () => {
    const withApp = errorFromTrpc({ message: 'm', data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 507, appCode: 'INSUFFICIENT_STORAGE', details: { free: 0 } } }, 'o');
    expect(withApp).toMatchObject({ code: 'INSUFFICIENT_STORAGE', status: 507, details: { free: 0 } });
    expect(errorFromTrpc({ message: 'm', data: { code: 'UNAUTHORIZED', httpStatus: 401, appCode: null } }, 'o')).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', status: 401 });
    expect(errorFromTrpc({ message: 'm', data: { code: 'WHATEVER', httpStatus: 503, appCode: null } }, 'o')).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
  });

  // The tables below were literals in this file; they are now derived from core's and the API's
  // (through the generated file), and these pins prove the derivation gives the same answers.
  it("knows the server's codes and reads a code from a bare status as core's table says", () => {
    const byStatus = {
      400: 'VALIDATION_ERROR', 401: 'AUTHENTICATION_REQUIRED', 403: 'INVALID_API_KEY', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'FILE_TOO_LARGE', 422: 'IDEMPOTENCY_KEY_REUSED',
      429: 'RATE_LIMIT_EXCEEDED', 500: 'PROCESSING_ERROR', 502: 'FAL_API_ERROR', 503: 'SERVICE_UNAVAILABLE', 507: 'INSUFFICIENT_STORAGE',
    };
    for (const [status, code] of Object.entries(byStatus)) {
      expect(isServerErrorCode(code)).toBe(true);
      expect(errorFromTrpc({ message: 'm', data: { code: 'NONE', httpStatus: Number(status), appCode: null } }, 'o').code).toBe(code);
    }
    expect(['NETWORK_ERROR', 'UNEXPECTED_RESPONSE', 'toString', ''].filter(isServerErrorCode)).toEqual([]);
    expect(errorFromTrpc({ message: 'm', data: { code: 'NONE', httpStatus: 418, appCode: null } }, 'o').code).toBe('PROCESSING_ERROR');
  });

  it("reads a code from tRPC's code as the API's reversal of its table says", () => {
    const byTrpcCode = {
      BAD_REQUEST: 'VALIDATION_ERROR', PARSE_ERROR: 'VALIDATION_ERROR', UNSUPPORTED_MEDIA_TYPE: 'VALIDATION_ERROR', METHOD_NOT_SUPPORTED: 'VALIDATION_ERROR',
      UNAUTHORIZED: 'AUTHENTICATION_REQUIRED', FORBIDDEN: 'INVALID_API_KEY', NOT_FOUND: 'NOT_FOUND', CONFLICT: 'CONFLICT', PAYLOAD_TOO_LARGE: 'FILE_TOO_LARGE', UNPROCESSABLE_CONTENT: 'IDEMPOTENCY_KEY_REUSED',
      TOO_MANY_REQUESTS: 'RATE_LIMIT_EXCEEDED', BAD_GATEWAY: 'FAL_API_ERROR', SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
      // shared by PROCESSING_ERROR and INSUFFICIENT_STORAGE: the status decides
      INTERNAL_SERVER_ERROR: 'INSUFFICIENT_STORAGE',
    };
    for (const [trpcCode, code] of Object.entries(byTrpcCode)) {
      expect(errorFromTrpc({ message: 'm', data: { code: trpcCode, httpStatus: 507, appCode: null } }, 'o').code, trpcCode).toBe(code);
    }
  });

  it("takes no code from the properties every object has, whatever tRPC code a foreign server sends", () => {
    for (const trpcCode of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(errorFromTrpc({ message: 'm', data: { code: trpcCode, httpStatus: 400, appCode: null } }, 'o').code, trpcCode).toBe('VALIDATION_ERROR');
    }
  });

  it('calls a failure without an answer a network error, naming the reason', () => {
    const cause = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const error = errorFromTrpc({ message: 'fetch failed', cause }, 'http://h:1');
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', status: 0, message: 'Cannot reach the Image2Model server at http://h:1 (ECONNREFUSED)' });
  });

  it('recognises its errors across copies of the package', () => {
    const foreign = Object.assign(new Error('x'), { name: 'Image2ModelError', code: 'NOT_FOUND' });
    expect(isImage2ModelError(foreign)).toBe(true);
    expect(isImage2ModelError(new Error('x'))).toBe(false);
    expect(isImage2ModelError(new Image2ModelError({ code: 'NETWORK_ERROR', status: 0, message: 'x' }))).toBe(true);
  });
});

describe('filenameFromDisposition', () => {
  it('prefers the UTF-8 name, then the plain one', () => {
    expect(filenameFromDisposition(`attachment; filename="caf_.glb"; filename*=UTF-8''caf%C3%A9.glb`)).toBe('café.glb');
    expect(filenameFromDisposition('attachment; filename="chair.glb"')).toBe('chair.glb');
    expect(filenameFromDisposition('attachment; filename=chair.glb')).toBe('chair.glb');
    expect(filenameFromDisposition(null)).toBeNull();
  });
});
