import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import { connectRedis, deleteKeys, newPrefix, TEST_REDIS_URL } from '@image2model/testing/redis';
import { startChildServer, type ChildServer } from './child-server.js';
import { serverDist } from './server-dist.js';

const WORKER = serverDist('worker.js');

export const CLUSTER_KEY = 'cluster-user-key-0001';
export const CLUSTER_ADMIN_KEY = 'cluster-admin-key-0001';

export interface WorkerProcess {
  child: ChildProcess;
  /** Every line it wrote (stdout JSON log lines, stderr). */
  output: string[];
  exited: Promise<number | null>;
  metricsUrl: string | null;
  /** The parsed JSON log lines with this message. */
  logs(message: string): Record<string, unknown>[];
}

/** Runs the built worker (`dist/worker.js`) as `npm run start:worker` would, and waits until it is ready. */
export function startWorkerProcess(env: Record<string, string>, opts: { timeoutMs?: number } = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKER], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const logs = (message: string) =>
    output.flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        return record.msg === message ? [record] : [];
      } catch {
        return [];
      }
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not start:\n${output.join('\n')}`));
    }, opts.timeoutMs ?? 60_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output.join('\n')}`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output.push(line);
      if (line.includes('Image2Model worker ready')) {
        clearTimeout(timer);
        const port = /"metrics_port":(\d+)/.exec(line)?.[1];
        resolve({ child, output, exited, metricsUrl: port ? `http://127.0.0.1:${port}/metrics` : null, logs });
      }
    });
  });
}

export interface Cluster {
  prefix: string;
  /** The shared DATA_DIR (unused by processes that have their own: `privateDataDirs`). */
  dataDir: string;
  redisUrl: string;
  /** The environment every process of this deployment shares. */
  env: Record<string, string>;
  apis: ChildServer[];
  workers: WorkerProcess[];
  addApi(extra?: Record<string, string>): Promise<ChildServer>;
  addWorker(extra?: Record<string, string>): Promise<WorkerProcess>;
  /** Every worker's parsed log lines with this message (dead workers included). */
  workerLogs(message: string): Record<string, unknown>[];
  /** SIGKILLs what is left, removes the data directory and every key of the prefix. */
  stop(): Promise<void>;
}

/**
 * A distributed deployment on loopback, from the built dist: API processes (`dist/main.js`) and
 * worker processes (`dist/worker.js`) sharing one DATA_DIR and a Redis key prefix of their own.
 */
export async function startCluster(opts: {
  apis: number;
  workers: number;
  env?: Record<string, string>;
  redisUrl?: string;
  /** Each process gets a DATA_DIR of its own, shared with none (a deployment on a bucket: S3_* in `env`). */
  privateDataDirs?: boolean;
}): Promise<Cluster> {
  const prefix = newPrefix();
  const dataDir = await mkdtemp(join(tmpdir(), 'i2m-cluster-'));
  const privateDirs: string[] = [];
  /** The DATA_DIR a new process gets: the shared one, or a fresh one of its own. */
  const dataDirFor = async (): Promise<Record<string, string>> => {
    if (!opts.privateDataDirs) return {};
    const own = await mkdtemp(join(tmpdir(), 'i2m-private-'));
    privateDirs.push(own);
    return { DATA_DIR: own };
  };
  const redisUrl = opts.redisUrl ?? TEST_REDIS_URL;
  const env: Record<string, string> = {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    API_KEYS: CLUSTER_KEY,
    ADMIN_API_KEYS: CLUSTER_ADMIN_KEY,
    RATE_LIMIT_PER_MINUTE: '100000',
    RATE_LIMIT_PER_HOUR: '1000000',
    WORKER_LOCK_MS: '2000',
    ...opts.env,
  };
  const apis: ChildServer[] = [];
  const workers: WorkerProcess[] = [];
  const allWorkers: WorkerProcess[] = [];
  const cluster: Cluster = {
    prefix,
    dataDir,
    redisUrl,
    env,
    apis,
    workers,
    async addApi(extra = {}) {
      const api = await startChildServer({ ...env, ...(await dataDirFor()), ...extra }, { timeoutMs: 60_000 });
      apis.push(api);
      return api;
    },
    async addWorker(extra = {}) {
      const worker = await startWorkerProcess({ ...env, ...(await dataDirFor()), METRICS_PORT: '0', ...extra });
      workers.push(worker);
      allWorkers.push(worker);
      return worker;
    },
    workerLogs: (message) => allWorkers.flatMap((w) => w.logs(message)),
    async stop() {
      for (const proc of [...apis, ...allWorkers]) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      await Promise.all([...apis, ...allWorkers].map((proc) => proc.exited));
      await Promise.all([dataDir, ...privateDirs].map((dir) => rm(dir, { recursive: true, force: true })));
      const redis: Redis = await connectRedis(redisUrl).catch(() => null as unknown as Redis);
      if (redis) {
        await deleteKeys(redis, prefix);
        await redis.quit();
      }
    },
  };
  try {
    // The first process creates the shared-storage marker; the rest start together.
    await cluster.addApi();
    await Promise.all([
      ...Array.from({ length: opts.apis - 1 }, () => cluster.addApi()),
      ...Array.from({ length: opts.workers }, () => cluster.addWorker()),
    ]);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
