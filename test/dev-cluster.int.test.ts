import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectRedis, requireRedis, TEST_REDIS_URL } from '@image2model/testing/redis';

const redisUp = await requireRedis();
const SCRIPT = fileURLToPath(new URL('../scripts/dev-cluster.ts', import.meta.url));

/** `npm run dev:cluster`'s script (the build is the test run's): it starts, both API processes are ready on the bucket, Ctrl-C stops it all and leaves nothing behind. */
describe.skipIf(!redisUp)('scripts/dev-cluster.ts', () => {
  it('starts s3rver, two API processes and two workers with private DATA_DIRs, and stops cleanly on Ctrl-C', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL: TEST_REDIS_URL, DEV_CLUSTER_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => output.push(line));
    const running = await new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => {
        if (line.includes('dev cluster is running')) setTimeout(resolve, 100); // the rest of the summary follows at once
      });
      void exited.then((code) => reject(new Error(`dev-cluster exited with ${code}:\n${output.join('\n')}`)));
    });
    expect(running).toBeUndefined();
    const text = output.join('\n');
    const urls = [...text.matchAll(/API \d +(http:\/\/127\.0\.0\.1:\d+)\//g)].map((m) => m[1] ?? '');
    expect(urls).toHaveLength(2);
    expect(text).toContain('(not printed: stdout is not a terminal)');
    const prefix = /prefix (i2m-dev-[0-9a-f]+:)/.exec(text)?.[1] ?? '';
    const root = /logs +(\S+)\/<process>\.log/.exec(text)?.[1] ?? '';
    expect(prefix).not.toBe('');
    expect(existsSync(root)).toBe(true);
    // Four processes, each with a DATA_DIR of its own.
    expect(new Set([...text.matchAll(/DATA_DIR=(\S+)/g)].map((m) => m[1])).size).toBe(4);

    for (const url of urls) {
      const res = await fetch(`${url}/api/v1/health/ready`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { checks: Record<string, string> }).checks).toMatchObject({ storage: 'writable', storage_backend: 's3', redis: 'connected' });
    }

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output.join('\n')).toContain('dev:cluster stopped');
    expect(existsSync(root)).toBe(false);
    const redis = await connectRedis();
    try {
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      await redis.quit();
    }
  });
});
