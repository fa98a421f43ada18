import { describe, expect, it } from 'vitest';
import { parseEnv } from './env.js';

describe('parseEnv: distributed mode and operations', () => {
  it('applies the documented defaults', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ REDIS_PREFIX: 'i2m:', WORKER_LOCK_MS: 30_000, SHUTDOWN_GRACE_MS: 10_000 });
    expect(env.METRICS_PORT).toBeUndefined();
  });

  it('reads the Redis URL, prefix, metrics port, lock and grace period', () => {
    const env = parseEnv({ REDIS_URL: 'rediss://:secret@redis.internal:6380/2', REDIS_PREFIX: 'prod:eu:', METRICS_PORT: '9100', WORKER_LOCK_MS: '5000', SHUTDOWN_GRACE_MS: '0' });
    expect(env).toMatchObject({ REDIS_URL: 'rediss://:secret@redis.internal:6380/2', REDIS_PREFIX: 'prod:eu:', METRICS_PORT: 9100, WORKER_LOCK_MS: 5000, SHUTDOWN_GRACE_MS: 0 });
  });

  it.each([
    ['REDIS_URL', 'http://redis:6379'],
    ['REDIS_PREFIX', 'has space'],
    ['METRICS_PORT', '99999'],
    ['WORKER_LOCK_MS', '10'],
    ['SHUTDOWN_GRACE_MS', '-1'],
  ])('stops with a message naming %s for %j', (name, value) => {
    expect(() => parseEnv({ [name]: value })).toThrow(new RegExp(`Invalid environment[\\s\\S]*${name}`));
  });
});
