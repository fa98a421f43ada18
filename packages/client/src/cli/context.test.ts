import { describe, expect, it } from 'vitest';
import { Image2ModelError } from '../errors.js';
import { reportError } from './context.js';

function reported(error: Image2ModelError): string {
  let text = '';
  const stderr = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream;
  reportError(error, { url: 'http://localhost:8000', apiKey: 'k' }, { stdout: stderr, stderr });
  return text;
}

describe('reportError', () => {
  it('says when to try again after a request window ran out', () => {
    const limited = new Image2ModelError({ code: 'RATE_LIMIT_EXCEEDED', status: 429, message: 'Rate limit exceeded: retry in 41 s', details: { reason: 'minute', limit: 60, retry_after: 41 } });
    expect(reported(limited)).toBe('image2model: Rate limit exceeded: retry in 41 s [RATE_LIMIT_EXCEEDED, HTTP 429]\n  Try again in 41 s.\n');
  });

  it('points at the jobs in progress when the key has too many files pending or processing', () => {
    const message = 'Too many files in progress for this API key: 200 pending or processing, and this request adds 3 (at most 200). Wait for some to finish, or cancel some, then try again';
    const busy = new Image2ModelError({ code: 'RATE_LIMIT_EXCEEDED', status: 429, message, details: { reason: 'active_files', limit: 200, active_files: 200, requested: 3, retry_after: 10 } });
    expect(reported(busy)).toBe(
      `image2model: ${message} [RATE_LIMIT_EXCEEDED, HTTP 429]\n  See them with: image2model jobs --status processing; cancel with: image2model cancel <job_id>\n`,
    );
  });
});
