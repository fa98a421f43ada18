import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { JobQueue, JobStore, ModelProvider } from '@image2model/core';
import { parseEnv, startServer, type RunningServer } from '@image2model/server';

export const USER_KEY = 'test-user-key-0001';
export const OTHER_USER_KEY = 'test-user-key-0002';
export const ADMIN_KEY = 'test-admin-key-0001';

export interface TestServer extends RunningServer {
  /** Everything the service logged, as raw JSON lines. */
  logLines: string[];
  api(path: string): string;
  stop(): Promise<void>;
}

/** A real server on a random port with its own DATA_DIR; `stop()` removes everything. */
export async function startTestServer(
  opts: {
    provider?: ModelProvider;
    env?: Record<string, string>;
    dataDir?: string;
    heartbeatMs?: number;
    wrapQueue?: (queue: JobQueue) => JobQueue;
    wrapStore?: (store: JobStore) => JobStore;
  } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'i2m-test-')));
  const logLines: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
      callback();
    },
  });
  const env = parseEnv({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    API_KEYS: `${USER_KEY},${OTHER_USER_KEY}`,
    ADMIN_API_KEYS: ADMIN_KEY,
    RATE_LIMIT_PER_MINUTE: '10000',
    RATE_LIMIT_PER_HOUR: '100000',
    LOG_LEVEL: 'debug',
    ...opts.env,
  });
  const running = await startServer({ env, provider: opts.provider, logDestination, print: () => undefined, heartbeatMs: opts.heartbeatMs, wrapQueue: opts.wrapQueue, wrapStore: opts.wrapStore });
  return {
    ...running,
    logLines,
    api: (path: string) => `${running.url}/api/v1${path}`,
    async stop() {
      await running.close({ graceMs: 1000 });
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
