import { describe, expect, it } from 'vitest';
import { parseEnv } from './env.js';

describe('parseEnv', () => {
  it('applies the documented defaults', () => {
    expect(parseEnv({})).toMatchObject({
      PORT: 8000,
      HOST: '0.0.0.0',
      DATA_DIR: './data',
      API_KEYS: [],
      ADMIN_API_KEYS: [],
      RATE_LIMIT_PER_MINUTE: 60,
      RATE_LIMIT_PER_HOUR: 1000,
      MAX_FILES: 25,
      MAX_BATCH_SIZE: 25,
      MAX_FILE_SIZE_MB: 10,
      LOG_LEVEL: 'info',
    });
    const env = parseEnv({});
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.FAL_KEY).toBeUndefined();
  });

  it('splits key lists and treats empty values as unset', () => {
    const env = parseEnv({ API_KEYS: ' a, b ,,c ', ADMIN_API_KEYS: 'root', FAL_KEY: '' });
    expect(env.API_KEYS).toEqual(['a', 'b', 'c']);
    expect(env.ADMIN_API_KEYS).toEqual(['root']);
    expect(env.FAL_KEY).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['MAX_FILES', '0'],
    ['MAX_BATCH_SIZE', '0'],
    ['RATE_LIMIT_PER_MINUTE', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'localhost:6379'],
    ['FAL_BASE_URL', 'not a url'],
  ])('stops with a message naming %s for %j', (name, value) => {
    expect(() => parseEnv({ [name]: value })).toThrow(new RegExp(`Invalid environment[\\s\\S]*${name}`));
  });
});
