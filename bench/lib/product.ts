import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaseContext } from './case.js';
import { benchScript, startChild, type NodeChild } from './child.js';
import { auth, getJson } from './http.js';
import { sleep } from './stats.js';

export const BENCH_KEY = 'bench-user-key-0001';
/** Rate limits are raised for the run: a fast 429 is not a result. */
const UNLIMITED = '1000000000';

export interface ProductServer {
  /** `http://127.0.0.1:<port>/api/v1` */
  api: string;
  url: string;
  key: string;
  pid: number;
  dataDir: string;
  child: NodeChild;
}

/** The product server (bench/servers/product-server.ts) in its own process, with its own data dir. */
export async function startProduct(
  ctx: CaseContext,
  opts: { modelBytes?: number; env?: Record<string, string>; dataDir?: string; readyTimeoutMs?: number } = {},
): Promise<ProductServer> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(ctx.workDir, 'product-')));
  const child = await startChild(benchScript('servers/product-server.js'), ctx.scope, {
    env: {
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      API_KEYS: BENCH_KEY,
      RATE_LIMIT_PER_MINUTE: UNLIMITED,
      RATE_LIMIT_PER_HOUR: UNLIMITED,
      // Thousands of subscribers share one key here (the SSE fan-out case).
      MAX_STREAMS_PER_KEY: UNLIMITED,
      // The pipeline and upload cases queue thousands of files on that one key.
      MAX_ACTIVE_FILES_PER_KEY: UNLIMITED,
      LOG_LEVEL: 'info',
      BENCH_MODEL_BYTES: String(opts.modelBytes ?? 2048),
      ...opts.env,
    },
    execArgv: profileArgs(ctx, 'product'),
    ...(opts.readyTimeoutMs !== undefined ? { readyTimeoutMs: opts.readyTimeoutMs } : {}),
  });
  const url = String(child.info.url).replace('localhost', '127.0.0.1');
  ctx.log(`product server pid ${child.pid} at ${url}`);
  return { api: `${url}/api/v1`, url, key: BENCH_KEY, pid: child.pid, dataDir, child };
}

export function profileArgs(ctx: CaseContext, name: string): string[] {
  return ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
}

export interface JobStatus {
  job_id: string;
  status: string;
  total_files: number;
  processed_files: number;
  failed_files: number;
  files: { file_id: string; status: string; model_url: string | null }[];
}

/** Polls the job's status until it is no longer processing; every file must have completed. */
export async function waitForJob(server: ProductServer, jobId: string, timeoutMs = 60_000): Promise<JobStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJson<JobStatus>(`${server.api}/status/${jobId}`, auth(server.key));
    if (job.status !== 'processing') {
      if (job.status !== 'completed') throw new Error(`job ${jobId} ended ${job.status}: ${JSON.stringify(job.files.filter((f) => f.status !== 'completed'))}`);
      return job;
    }
    if (Date.now() > deadline) throw new Error(`job ${jobId} still processing after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Polls until `count` generations are being held by the bench providers of these processes. */
export async function waitForHeld(processes: NodeChild | NodeChild[], count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const all = Array.isArray(processes) ? processes : [processes];
  const held = async () => (await Promise.all(all.map((p) => p.call<number>('held')))).reduce((a, b) => a + b, 0);
  while ((await held()) < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} generations held after ${timeoutMs} ms`);
    await sleep(10);
  }
}
