/**
 * Shared helpers for tests that need a real Redis: availability (skip locally, FAIL in CI), a key
 * prefix per test and its cleanup, and private redis-servers for tests that stop Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { closedPort } from './net.js';

/** The shared test Redis (`.ci/run` starts one here). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let availability: Promise<boolean> | undefined;

/**
 * Whether the test Redis answers PING. Without one, tests that need it skip locally; with
 * `CI=true` this throws instead, so a CI run without Redis fails loudly rather than passing empty.
 * @example
 * const redisUp = await requireRedis();
 * describe.skipIf(!redisUp)('RedisJobStore', () => { … });
 */
export function requireRedis(): Promise<boolean> {
  availability ??= (async () => {
    const probe = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  })();
  return availability.then((up) => {
    if (!up && process.env.CI === 'true') {
      throw new Error(
        `Redis is required in CI but nothing answers at ${TEST_REDIS_URL}. Start one (redis-server --port 6379), ` +
          'or run .ci/run, which starts it.',
      );
    }
    if (!up) console.warn(`[tests] No Redis at ${TEST_REDIS_URL}: skipping the tests that need it (they fail when CI=true).`);
    return up;
  });
}

/** A unique key prefix for one test. */
export function newPrefix(): string {
  return `test:${randomUUID()}:`;
}

/** A connected client for the shared test Redis (or `url`); `name` is its CLIENT SETNAME. */
export async function connectRedis(url = TEST_REDIS_URL, opts: { name?: string } = {}): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, ...(opts.name ? { connectionName: opts.name } : {}) });
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

/** Deletes every key under a prefix (SCAN + UNLINK), so a test leaves nothing behind. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  /** Stops the server the way an operator does (SIGTERM: it writes its AOF and exits). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  destroy(): Promise<void>;
}

/**
 * A redis-server of this test's own, on a free port, persisting with AOF (`--appendonly yes`) in
 * a temporary folder, as production Redis should: tests that stop or restart Redis use this one,
 * never the shared server.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'i2m-redis-'));
  const port = await closedPort();
  let child: ChildProcess | null = null;
  const url = `redis://127.0.0.1:${port}`;

  async function start(): Promise<void> {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const output: string[] = [];
    const spawnFailed = new Promise<never>((_, reject) => {
      proc.once('error', (error) => reject(new Error(`cannot run redis-server (is it installed? apt-get install redis-server): ${error.message}`)));
    });
    spawnFailed.catch(() => undefined);
    proc.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      const up = await probe
        .connect()
        .then(() => probe.ping())
        .then((pong) => pong === 'PONG', () => false)
        .finally(() => probe.disconnect());
      if (up) return;
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`private redis-server did not start:\n${output.join('')}`);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), spawnFailed]);
    }
  }

  async function stop(): Promise<void> {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    await exited;
  }

  await start();
  return {
    url,
    port,
    dir,
    stop,
    start,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
