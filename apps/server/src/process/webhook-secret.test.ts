import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { isWebhookSecret } from '@image2model/core';
import { connectRedis, deleteKeys, newPrefix, requireRedis } from '@image2model/testing/redis';
import { resolveWebhookSecret, WEBHOOK_SECRET_FILE } from './webhook-secret.js';

const redisUp = await requireRedis();

describe('resolveWebhookSecret', () => {
  let dataDir: string;
  const logger = pino({ level: 'silent' });
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-whsec-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('uses WEBHOOK_SECRET as it is and keeps nothing', async () => {
    const printed: string[] = [];
    const secret = await resolveWebhookSecret({ configured: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', dataDir, logger, print: (t) => printed.push(t), terminal: true });
    expect(secret).toBe('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(printed).toEqual([]);
    await expect(stat(join(dataDir, WEBHOOK_SECRET_FILE))).rejects.toThrow();
  });

  it('generates one at first start, keeps it privately, prints it once at a terminal; the next start uses it', async () => {
    const printed: string[] = [];
    const first = await resolveWebhookSecret({ configured: undefined, dataDir, logger, print: (t) => printed.push(t), terminal: true });
    expect(isWebhookSecret(first)).toBe(true);
    expect(printed.join('')).toContain(first);
    const file = join(dataDir, WEBHOOK_SECRET_FILE);
    expect((await readFile(file, 'utf8')).trim()).toBe(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await resolveWebhookSecret({ configured: undefined, dataDir, logger, print: (t) => printed.push(t), terminal: true })).toBe(first);
    expect(printed).toHaveLength(1);
  });

  it('names only the file in the log when stdout is not a terminal', async () => {
    const lines: string[] = [];
    const logged = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const printed: string[] = [];
    const secret = await resolveWebhookSecret({ configured: undefined, dataDir, logger: logged, print: (t) => printed.push(t), terminal: false });
    expect(printed).toEqual([]);
    expect(lines.join('')).toContain(join(dataDir, WEBHOOK_SECRET_FILE));
    expect(lines.join('')).not.toContain(secret);
  });

  describe.skipIf(!redisUp)('distributed', () => {
    let redis: Redis;
    const prefix = newPrefix();
    beforeAll(async () => {
      redis = await connectRedis();
    });
    afterAll(async () => {
      await deleteKeys(redis, prefix);
      await redis.quit();
    });

    it('shares the first process\'s secret through Redis, so processes starting at once sign alike', async () => {
      const dirs = await Promise.all([0, 1, 2].map(() => mkdtemp(join(tmpdir(), 'i2m-whsec-'))));
      try {
        const secrets = await Promise.all(dirs.map((dir) => resolveWebhookSecret({ configured: undefined, dataDir: dir, logger, print: () => undefined, terminal: false, shared: { redis, key: `${prefix}webhook-secret` } })));
        expect(new Set(secrets).size).toBe(1);
        expect(await redis.get(`${prefix}webhook-secret`)).toBe(secrets[0]);
      } finally {
        await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
      }
    });
  });
});
