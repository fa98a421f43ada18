import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { resolveApiKeys, GENERATED_KEY_FILE } from './api-keys.js';

describe('resolveApiKeys', () => {
  let dataDir: string;
  const logger = pino({ level: 'silent' });
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-keys-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('uses configured keys as they are and generates nothing', async () => {
    const printed: string[] = [];
    const keys = await resolveApiKeys({ apiKeys: ['u'], adminKeys: ['a'], dataDir, logger, print: (t) => printed.push(t), terminal: true });
    expect(keys).toEqual({ apiKeys: ['u'], adminKeys: ['a'] });
    expect(printed).toEqual([]);
    await expect(stat(join(dataDir, GENERATED_KEY_FILE))).rejects.toThrow();
  });

  it('generates a key once, stores it privately, prints it only the first time', async () => {
    const printed: string[] = [];
    const first = await resolveApiKeys({ apiKeys: [], adminKeys: [], dataDir, logger, print: (t) => printed.push(t), terminal: true });
    const key = first.adminKeys[0] ?? '';
    expect(key).toMatch(/^i2m_[A-Za-z0-9_-]{32}$/);
    expect(printed.join('')).toContain(key);
    const file = join(dataDir, GENERATED_KEY_FILE);
    expect((await readFile(file, 'utf8')).trim()).toBe(key);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const second = await resolveApiKeys({ apiKeys: [], adminKeys: [], dataDir, logger, print: (t) => printed.push(t), terminal: true });
    expect(second.adminKeys).toEqual([key]);
    expect(printed).toHaveLength(1);
  });

  it('prints the generated key only to a terminal; otherwise the log names its file and holds no key', async () => {
    const printed: string[] = [];
    const lines: string[] = [];
    const logged = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const keys = await resolveApiKeys({ apiKeys: [], adminKeys: [], dataDir, logger: logged, print: (t) => printed.push(t), terminal: false });
    const key = keys.adminKeys[0] ?? '';
    const file = join(dataDir, GENERATED_KEY_FILE);
    expect((await readFile(file, 'utf8')).trim()).toBe(key);
    expect(printed).toEqual([]);
    expect(lines.join('')).toContain(file);
    expect(lines.join('')).not.toContain(key);
  });

  it('shares one generated key through Redis (SET NX): a process with another DATA_DIR takes the first one’s', async () => {
    const values = new Map<string, string>();
    // The two commands resolveApiKeys sends, as Redis answers them.
    const redis = {
      async set(key: string, value: string, nx: 'NX') {
        if (nx !== 'NX' || values.has(key)) return null;
        values.set(key, value);
        return 'OK';
      },
      async get(key: string) {
        return values.get(key) ?? null;
      },
    } as unknown as Redis;
    const shared = { redis, key: 'i2m:api-key' };
    const printed: string[] = [];
    const first = await resolveApiKeys({ apiKeys: [], adminKeys: [], dataDir, logger, print: (t) => printed.push(t), terminal: true, shared });
    const otherDir = await mkdtemp(join(tmpdir(), 'i2m-keys-'));
    try {
      const second = await resolveApiKeys({ apiKeys: [], adminKeys: [], dataDir: otherDir, logger, print: (t) => printed.push(t), terminal: true, shared });
      expect(second.adminKeys).toEqual(first.adminKeys);
      expect((await readFile(join(otherDir, GENERATED_KEY_FILE), 'utf8')).trim()).toBe(first.adminKeys[0]);
      expect(printed).toHaveLength(1); // announced once, by the process that generated it
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
    // Configured keys win: nothing is read from or written to Redis.
    expect(await resolveApiKeys({ apiKeys: ['u'], adminKeys: [], dataDir, logger, print: () => undefined, terminal: false, shared: { redis, key: 'i2m:unused' } })).toEqual({ apiKeys: ['u'], adminKeys: [] });
    expect(values.has('i2m:unused')).toBe(false);
  });
});
