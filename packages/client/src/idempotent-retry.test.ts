import { describe, expect, it } from 'vitest';
import { Image2ModelError } from './errors.js';
import { isRetryable, newIdempotencyKey } from './idempotent-retry.js';

const error = (code: Image2ModelError['code'], status: number, details: Record<string, unknown> = {}) => new Image2ModelError({ code, status, message: 'm', details });

describe('idempotent retries', () => {
  it('retry no answer, a 5xx, and a key still in use; nothing else', () => {
    expect(isRetryable(error('NETWORK_ERROR', 0))).toBe(true);
    expect(isRetryable(error('SERVICE_UNAVAILABLE', 503))).toBe(true);
    expect(isRetryable(error('UNEXPECTED_RESPONSE', 502))).toBe(true);
    expect(isRetryable(error('CONFLICT', 409, { reason: 'idempotency_key_in_use' }))).toBe(true);
    expect(isRetryable(error('CONFLICT', 409))).toBe(false);
    expect(isRetryable(error('IDEMPOTENCY_KEY_REUSED', 422))).toBe(false);
    expect(isRetryable(error('RATE_LIMIT_EXCEEDED', 429))).toBe(false);
    expect(isRetryable(new DOMException('aborted', 'AbortError'))).toBe(false);
  });

  it('makes a new UUID v4 each time', () => {
    const keys = new Set(Array.from({ length: 100 }, newIdempotencyKey));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
