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
      MAX_STREAMS_PER_KEY: 50,
      SLOW_READER_TIMEOUT_MS: 60_000,
      RECONCILE_INTERVAL_MS: 60_000,
      TRUST_PROXY: false,
      MAX_FILE_SIZE_MB: 10,
      MAX_ACTIVE_FILES_PER_KEY: 200,
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
    expect(parseEnv({ MAX_ACTIVE_FILES_PER_KEY: '' }).MAX_ACTIVE_FILES_PER_KEY).toBe(200);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['MAX_FILES', '0'],
    ['MAX_BATCH_SIZE', '0'],
    ['MAX_ACTIVE_FILES_PER_KEY', '0'],
    ['RATE_LIMIT_PER_MINUTE', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'localhost:6379'],
    ['FAL_BASE_URL', 'not a url'],
  ])('stops with a message naming %s for %j', (name, value) => {
    expect(() => parseEnv({ [name]: value })).toThrow(new RegExp(`Invalid environment[\\s\\S]*${name}`));
  });

  it('reads the webhook settings: WEBHOOK_URL (checked like a job\'s, without DNS), and the two flags, false by default', () => {
    const defaults = parseEnv({});
    expect(defaults).toMatchObject({ WEBHOOK_ALLOW_HTTP: false, WEBHOOK_ALLOW_PRIVATE: false });
    expect(defaults.WEBHOOK_URL).toBeUndefined();
    const env = parseEnv({ PUBLIC_URL: 'https://i2m.example.com', WEBHOOK_URL: 'http://10.0.0.5/hook', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
    expect(env).toMatchObject({ WEBHOOK_URL: 'http://10.0.0.5/hook', WEBHOOK_ALLOW_HTTP: true, WEBHOOK_ALLOW_PRIVATE: true });
    expect(() => parseEnv({ PUBLIC_URL: 'https://i2m.example.com', WEBHOOK_URL: 'http://hooks.example.com/' })).toThrow(/WEBHOOK_URL must use https:\/\//);
    expect(() => parseEnv({ PUBLIC_URL: 'https://i2m.example.com', WEBHOOK_URL: 'https://10.0.0.5/' })).toThrow(/WEBHOOK_URL points at a non-public address \(10\.0\.0\.5\)/);
    expect(() => parseEnv({ WEBHOOK_ALLOW_HTTP: 'yes' })).toThrow(/Invalid environment[\s\S]*WEBHOOK_ALLOW_HTTP/);
  });

  it('reads how webhooks are sent: the secret (whsec_ only), the timeout, the retry schedule and the concurrency, with their defaults', () => {
    const defaults = parseEnv({});
    expect(defaults).toMatchObject({ WEBHOOK_TIMEOUT_MS: 10_000, WEBHOOK_CONCURRENCY: 8 });
    expect(defaults.WEBHOOK_SECRET).toBeUndefined();
    expect(defaults.WEBHOOK_RETRY_SCHEDULE.delaysMs).toEqual([10_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 43_200_000]);
    const env = parseEnv({ WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', WEBHOOK_TIMEOUT_MS: '2500', WEBHOOK_RETRY_SCHEDULE: '0.5, 2,30', WEBHOOK_CONCURRENCY: '3' });
    expect(env).toMatchObject({ WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', WEBHOOK_TIMEOUT_MS: 2500, WEBHOOK_CONCURRENCY: 3 });
    expect(env.WEBHOOK_RETRY_SCHEDULE.delaysMs).toEqual([500, 2000, 30_000]);
    expect(() => parseEnv({ WEBHOOK_SECRET: 'not-a-secret' })).toThrow(/Invalid environment[\s\S]*WEBHOOK_SECRET[\s\S]*whsec_/);
    expect(() => parseEnv({ WEBHOOK_RETRY_SCHEDULE: '10,soon' })).toThrow(/Invalid environment[\s\S]*WEBHOOK_RETRY_SCHEDULE[\s\S]*"soon"/);
    expect(() => parseEnv({ WEBHOOK_TIMEOUT_MS: '0' })).toThrow(/Invalid environment[\s\S]*WEBHOOK_TIMEOUT_MS/);
    expect(() => parseEnv({ WEBHOOK_CONCURRENCY: '0' })).toThrow(/Invalid environment[\s\S]*WEBHOOK_CONCURRENCY/);
  });

  it('refuses WEBHOOK_URL without PUBLIC_URL, saying to set it', () => {
    expect(() => parseEnv({ WEBHOOK_URL: 'https://hooks.example.com/i2m' })).toThrow(/WEBHOOK_URL needs PUBLIC_URL/);
  });

  it('reads the bucket settings: none by default (blobs under DATA_DIR), streamed downloads', () => {
    expect(parseEnv({}).S3_BUCKET).toBeUndefined();
    expect(parseEnv({})).toMatchObject({ S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: false, S3_PREFIX: '', DOWNLOAD_MODE: 'stream' });
    expect(parseEnv({ S3_BUCKET: 'models.example', S3_PREFIX: 'i2m/prod/', S3_FORCE_PATH_STYLE: 'true', DOWNLOAD_MODE: 'redirect' })).toMatchObject({
      S3_BUCKET: 'models.example',
      S3_PREFIX: 'i2m/prod/',
      S3_FORCE_PATH_STYLE: true,
      DOWNLOAD_MODE: 'redirect',
    });
  });

  it.each([
    ['S3_BUCKET', 'Bad_Bucket'],
    ['S3_BUCKET', 'ab'],
    ['S3_PREFIX', 'no-trailing-slash'],
    ['S3_PREFIX', '/absolute/'],
    ['S3_PREFIX', 'a/../b/'],
    ['S3_ENDPOINT', 'ftp://minio:9000'],
    ['DOWNLOAD_MODE', 'proxy'],
    ['S3_PUBLIC_READS', 'public'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => parseEnv({ S3_BUCKET: 'models', [name]: value })).toThrow(new RegExp(`Invalid environment[\\s\\S]*${name}`));
  });

  it('refuses DOWNLOAD_MODE=redirect without a bucket, saying why', () => {
    expect(() => parseEnv({ DOWNLOAD_MODE: 'redirect' })).toThrow(/DOWNLOAD_MODE=redirect needs S3_BUCKET/);
  });

  it('reads S3_PUBLIC_READS (none by default), refusing presigned without a bucket or with a timeout no URL can outlive', () => {
    expect(parseEnv({}).S3_PUBLIC_READS).toBe('none');
    expect(parseEnv({ S3_BUCKET: 'models', S3_PUBLIC_READS: 'presigned' }).S3_PUBLIC_READS).toBe('presigned');
    expect(() => parseEnv({ S3_PUBLIC_READS: 'presigned' })).toThrow(/S3_PUBLIC_READS=presigned needs S3_BUCKET/);
    expect(parseEnv({ S3_BUCKET: 'models', S3_PUBLIC_READS: 'presigned', GENERATION_TIMEOUT_MS: String(3.5 * 86_400_000) }).GENERATION_TIMEOUT_MS).toBe(3.5 * 86_400_000);
    expect(() => parseEnv({ S3_BUCKET: 'models', S3_PUBLIC_READS: 'presigned', GENERATION_TIMEOUT_MS: String(4 * 86_400_000) })).toThrow(/GENERATION_TIMEOUT_MS can be at most 3.5 days/);
  });

  it.each([
    [undefined, false],
    ['false', false],
    ['true', true],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.0/8, 2001:db8::/32, 192.168.1.1, 172.16.0.0/255.240.0.0', ['loopback', '10.0.0.0/8', '2001:db8::/32', '192.168.1.1', '172.16.0.0/255.240.0.0']],
  ])('reads TRUST_PROXY=%j as Express trust proxy %j', (value, expected) => {
    expect(parseEnv(value === undefined ? {} : { TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it.each(['yes', '-1', '10.0.0.0/33', '2001:db8::/129', '300.1.1.1', 'loopback, nowhere', '10.0.0.0/255.0.255.0'])('refuses TRUST_PROXY=%j', (value) => {
    expect(() => parseEnv({ TRUST_PROXY: value })).toThrow(/Invalid environment[\s\S]*TRUST_PROXY/);
  });
});
