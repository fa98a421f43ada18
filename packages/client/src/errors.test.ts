import { describe, expect, it } from 'vitest';
import { errorFromResponse, errorFromTrpc, Image2ModelError, isImage2ModelError, readErrorBody } from './errors.js';
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
