import { describe, expect, it } from 'vitest';
import { Image2ModelError } from '@image2model/client';
import { describeError, isWebhookUrlError, retryAfterSeconds } from './messages.js';

describe('describeError', () => {
  it('tells a wrong key from a missing one, and where the key comes from', () => {
    const wrong = new Image2ModelError({ code: 'AUTHENTICATION_REQUIRED', status: 401, message: 'Invalid API key' });
    const missing = new Image2ModelError({ code: 'AUTHENTICATION_REQUIRED', status: 401, message: 'Missing API key: send Authorization: Bearer <key>' });
    expect(describeError(wrong)).toMatch(/^The server did not accept this API key.*DATA_DIR\/api-key\.txt/);
    expect(describeError(missing)).toMatch(/^Enter your API key first.*DATA_DIR\/api-key\.txt/);
  });

  it('says when to try again after the rate limit', () => {
    const limited = new Image2ModelError({ code: 'RATE_LIMIT_EXCEEDED', status: 429, message: 'Rate limit exceeded', details: { retry_after: 41 } });
    expect(describeError(limited)).toBe("Too many requests: the server's rate limit was reached. Try again in 41 s.");
    expect(retryAfterSeconds(limited)).toBe(41);
  });

  it('passes on what to do when the key has too many files in progress', () => {
    const message =
      'Too many files in progress for this API key: 200 pending or processing, and this request adds 3 (at most 200). Wait for some to finish, or cancel some, then try again';
    const busy = new Image2ModelError({ code: 'RATE_LIMIT_EXCEEDED', status: 429, message, details: { reason: 'active_files', limit: 200, active_files: 200, requested: 3, retry_after: 10 } });
    expect(describeError(busy)).toBe(message);
    expect(retryAfterSeconds(busy)).toBe(10);
  });

  it('passes the server’s own message on for the other errors', () => {
    const invalid = new Image2ModelError({ code: 'VALIDATION_ERROR', status: 400, message: 'Invalid file format: x.png is not a JPEG or PNG image' });
    expect(describeError(invalid)).toBe('Invalid file format: x.png is not a JPEG or PNG image');
    expect(retryAfterSeconds(invalid)).toBeNull();
  });

  it('says when Retry failed found nothing left to retry', () => {
    const nothing = new Image2ModelError({ code: 'CONFLICT', status: 409, message: 'Nothing to retry', details: { reason: 'nothing_to_retry' } });
    expect(describeError(nothing)).toMatch(/^Nothing to retry: none of these files is failed or cancelled any more/);
  });
});

describe('isWebhookUrlError', () => {
  it('tells a refused webhook URL from the other validation errors', () => {
    const refused = new Image2ModelError({ code: 'VALIDATION_ERROR', status: 400, message: 'webhook_url must use https://', details: { field: 'webhook_url', reason: 'must use https://' } });
    expect(isWebhookUrlError(refused)).toBe(true);
    expect(describeError(refused)).toBe('webhook_url must use https://');
    expect(isWebhookUrlError(new Image2ModelError({ code: 'VALIDATION_ERROR', status: 400, message: 'No files uploaded' }))).toBe(false);
    expect(isWebhookUrlError(new Error('webhook_url'))).toBe(false);
  });
});
