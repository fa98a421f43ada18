/**
 * The distributed deployment on one machine, laid out as it runs across machines: an S3-compatible
 * server (s3rver, offline), the local Redis, two API processes and two workers, each with a
 * DATA_DIR of its own in a temporary folder (no folder shared by any two). It prints the URLs, the
 * generated admin key's file and the environment of each process; Ctrl-C stops everything and
 * removes what it made (the bucket, the temporary folders, its Redis keys).
 *
 *   npm run dev:cluster
 *
 * REDIS_URL (default redis://127.0.0.1:6379) names the Redis; DEV_CLUSTER_PORT (default 8001) the
 * first API process's port, the second gets the next one (0: any free ports).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startS3Server } from '@image2model/testing/s3-server';

const SERVER_DIST = fileURLToPath(new URL('../apps/server/dist/', import.meta.url));
const START_TIMEOUT_MS = 60_000;
/** Every process stops within SHUTDOWN_GRACE_MS (10 s) + 5 s of SIGTERM; past that it is killed. */
const STOP_TIMEOUT_MS = 20_000;

interface Started {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The API process's URL; null for a worker. */
  url: string | null;
  env: Record<string, string>;
}

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const basePort = Number(process.env.DEV_CLUSTER_PORT ?? 8001);
// A prefix of its own per run: the bucket is new each time, so nothing of an earlier run applies.
const prefix = `i2m-dev-${randomBytes(3).toString('hex')}:`;
const root = await mkdtemp(join(tmpdir(), 'i2m-dev-cluster-'));

const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
try {
  await redis.connect();
  await redis.ping();
} catch (error) {
  console.error(`dev:cluster needs a Redis at ${redisUrl} (set REDIS_URL, or start one: redis-server): ${(error as Error).message}`);
  await rm(root, { recursive: true, force: true });
  process.exit(1);
}

const s3 = await startS3Server({ bucket: 'image2model-dev' });
/** What every process of the deployment shares. */
const shared: Record<string, string> = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, ...s3.env, HOST: '127.0.0.1', LOG_LEVEL: 'info' };
const started: Started[] = [];
let stopping = false;

/** Runs one process with its own DATA_DIR, its log in `<root>/<name>.log`; resolves once it says it is ready. */
async function launch(name: string, script: 'main.js' | 'worker.js', own: Record<string, string>): Promise<Started> {
  const env = { DATA_DIR: join(root, name), ...own };
  await mkdir(env.DATA_DIR, { recursive: true });
  const child = spawn(process.execPath, [join(SERVER_DIST, script)], { env: { PATH: process.env.PATH ?? '', ...shared, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(join(root, `${name}.log`));
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Listed at once, so a stop while it starts stops it too.
  const process_: Started = { name, child, exited, url: null, env };
  started.push(process_);
  void exited.then((code) => {
    if (!stopping) {
      console.error(`${name} exited with ${code}: stopping the cluster (its log: ${join(root, `${name}.log`)})`);
      void stop(1);
    }
  });
  process_.url = await new Promise<string | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${START_TIMEOUT_MS / 1000} s: see ${join(root, `${name}.log`)}`)), START_TIMEOUT_MS);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} while starting: see ${join(root, `${name}.log`)}`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      log.write(`${line}\n`);
      const port = script === 'main.js' && line.includes('listening') ? /"port":(\d+)/.exec(line)?.[1] : undefined;
      if (port || (script === 'worker.js' && line.includes('Image2Model worker ready'))) {
        clearTimeout(timer);
        resolve(port ? `http://127.0.0.1:${port}` : null);
      }
    });
  });
  return process_;
}

/** SIGTERM to every process, then the bucket, the Redis keys of this run and the folders go. */
async function stop(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => undefined);
  stopping = true;
  for (const { child } of started) child.kill('SIGTERM');
  const killer = setTimeout(() => started.forEach(({ child }) => child.kill('SIGKILL')), STOP_TIMEOUT_MS);
  await Promise.all(started.map(({ exited }) => exited));
  clearTimeout(killer);
  await s3.close();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
  await rm(root, { recursive: true, force: true });
  console.log('dev:cluster stopped');
  process.exit(code);
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

try {
  const apiPort = (index: number) => String(basePort === 0 ? 0 : basePort + index);
  // The first API process writes the shared-storage marker and generates the admin key; the rest start together.
  const first = await launch('api-1', 'main.js', { PORT: apiPort(0) });
  const [second] = await Promise.all([launch('api-2', 'main.js', { PORT: apiPort(1) }), launch('worker-1', 'worker.js', {}), launch('worker-2', 'worker.js', {})]);
  const keyFile = join(first.env.DATA_DIR ?? '', 'api-key.txt');
  const key = (await readFile(keyFile, 'utf8')).trim();
  const lines = [
    '',
    'Image2Model dev cluster is running (Ctrl-C stops it and removes everything it made)',
    '',
    `  API 1     ${first.url ?? ''}/   (API docs: ${first.url ?? ''}/api/v1/docs)`,
    `  API 2     ${second.url ?? ''}/`,
    '  workers   worker-1, worker-2',
    `  S3        ${s3.endpoint}, bucket ${s3.bucket} (s3rver, keys S3RVER/S3RVER)`,
    `  Redis     ${redisUrl}, prefix ${prefix}`,
    // In full only to a terminal, like the server's own announcement of a generated key.
    `  admin key ${process.stdout.isTTY ? key : '(not printed: stdout is not a terminal)'}, kept in each API process's DATA_DIR (${keyFile})`,
    `  logs      ${root}/<process>.log`,
    '',
    'Shared by every process:',
    ...Object.entries(shared).map(([name, value]) => `  ${name}=${value}`),
    'Each process its own:',
    ...started.map(({ name, env }) => `  ${name.padEnd(9)} ${Object.entries(env).map(([n, v]) => `${n}=${v}`).join(' ')}`),
    '',
  ];
  console.log(lines.join('\n'));
} catch (error) {
  // A Ctrl-C while starting is no failure: the processes it cut are already being stopped.
  if (!stopping) {
    console.error(`dev:cluster could not start: ${(error as Error).message}`);
    await stop(1);
  }
}
