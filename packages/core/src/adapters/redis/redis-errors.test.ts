import { describe, expect, it } from 'vitest';
import { callRedis } from './redis-errors.js';

/** What ioredis rejects with for a Redis error reply. */
function replyError(message: string, previousErrors?: Error[]): Error {
  const error = new Error(message);
  error.name = 'ReplyError';
  return previousErrors ? Object.assign(error, { previousErrors }) : error;
}

describe('callRedis', () => {
  it('turns a MULTI that Redis aborted because it is full into SERVICE_UNAVAILABLE', async () => {
    const aborted = replyError('EXECABORT Transaction discarded because of previous errors.', [replyError("OOM command not allowed when used memory > 'maxmemory'.")]);
    await expect(callRedis(() => Promise.reject(aborted))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', opts: { retryable: true } });
  });

  it('leaves a MULTI aborted by a bad command, and any other bad command, as it is', async () => {
    const aborted = replyError('EXECABORT Transaction discarded because of previous errors.', [replyError('WRONGTYPE Operation against a key holding the wrong kind of value')]);
    await expect(callRedis(() => Promise.reject(aborted))).rejects.toBe(aborted);
    const wrongType = replyError('WRONGTYPE Operation against a key holding the wrong kind of value');
    await expect(callRedis(() => Promise.reject(wrongType))).rejects.toBe(wrongType);
  });
});
