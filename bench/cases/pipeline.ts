import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { benchScript, startChild, type NodeChild } from '../lib/child.js';
import { readCpuMs } from '../lib/cpu.js';
import { auth, uploadBatch, type FilePart } from '../lib/http.js';
import { tinyPhoto } from '../lib/images.js';
import { profileArgs, startProduct, waitForHeld, type ProductServer } from '../lib/product.js';
import { subscribe } from '../lib/sse.js';
import { fmt, nowMs, percentile, sum } from '../lib/stats.js';

export const FILES_PER_BATCH = 25;
const UPLOADS_IN_FLIGHT = 4;
/** Files each worker runs at once, set explicitly: the default grows with the machine's cores. */
const SLOTS_PER_WORKER = 2;
export const SLOTS_ENV = { WORKER_CONCURRENCY: String(SLOTS_PER_WORKER) };
export const REDIS_URL = 'redis://127.0.0.1:6379';
const WORKERS = 2;

interface FileTimes {
  pickedAt: number | null;
  completedAt: number | null;
}

export interface PipelineFigures {
  files: number;
  /** When the slots were released and when the last job's `done` arrived (the runner's clock). */
  startedAt: number;
  finishedAt: number;
  p50: number;
  p90: number;
  filesPerSecond: number;
  cpuPerFileMs: number;
  /** CPU per file of the processes counted apart (`PipelineOptions.apartPids`, e.g. the S3 server); 0 without them. */
  apartCpuPerFileMs: number;
  /**
   * Files of jobs that ended `completed` whose `completed` (or `progress 0`) event the job's stream
   * never delivered: it ended at `done` first. One example with the events that did arrive.
   */
  lost: number;
  lostExample: string | null;
}

/** Follows one job's stream, noting when each file was picked up (its progress 0) and completed. */
function follow(server: ProductServer, jobId: string, files: Map<string, FileTimes>, seen: Map<string, string[]>) {
  let status: string | null = null;
  const stream = subscribe(`${server.api}/status/stream/${jobId}`, auth(server.key), (event, at) => {
    const data = JSON.parse(event.data) as { type: string; file_id?: string; progress?: number; status?: string };
    if (data.type === 'done') status = data.status ?? null;
    if (!data.file_id) return;
    const key = `${jobId}/${data.file_id}`;
    seen.set(key, [...(seen.get(key) ?? []), `${event.id} ${data.type}${data.progress === undefined ? '' : ` ${data.progress}`}`]);
    const times = files.get(key) ?? { pickedAt: null, completedAt: null };
    if (data.type === 'progress' && data.progress === 0) times.pickedAt ??= at;
    if (data.type === 'completed') times.completedAt = at;
    files.set(key, times);
  });
  return { stream, status: () => status };
}

/**
 * Holds every worker slot with a warm-up job, queues the measured batches behind it (with
 * `fields`, e.g. a webhook_url), follows every job's stream (so each measured file is seen live
 * from its pick-up), then releases the slots.
 */
export interface PipelineOptions {
  /** Upload fields of every measured batch (e.g. a webhook_url). */
  fields?: Record<string, string>;
  /** The photo of every file. @default tinyPhoto() */
  photo?: Buffer;
  /** @default FILES_PER_BATCH */
  filesPerBatch?: number;
  /** Processes outside the service whose CPU over the measured span is reported apart (the S3 server). */
  apartPids?: number[];
}

export async function measurePipeline(ctx: CaseContext, server: ProductServer, workers: NodeChild[], batches: number, opts: PipelineOptions = {}): Promise<PipelineFigures> {
  const slots = workers.length * SLOTS_PER_WORKER;
  const photo = opts.photo ?? (await tinyPhoto());
  const fields = opts.fields ?? {};
  const filesPerBatch = opts.filesPerBatch ?? FILES_PER_BATCH;
  const parts = (prefix: string, n: number): FilePart[] => Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i + 1}.jpg`, data: photo, type: 'image/jpeg' }));
  await Promise.all(workers.map((w) => w.call('hold')));
  const warmUp = await uploadBatch(server.api, server.key, parts('warm-up', slots));
  ctx.log(`warm-up job ${warmUp.job_id}: waiting for ${slots} held files`);
  await waitForHeld(workers, slots);
  const jobIds: string[] = [];
  for (let next = 0; next < batches; next += UPLOADS_IN_FLIGHT) {
    const wave = Array.from({ length: Math.min(UPLOADS_IN_FLIGHT, batches - next) }, (_, i) => uploadBatch(server.api, server.key, parts(`batch-${next + i + 1}`, filesPerBatch), fields));
    jobIds.push(...(await Promise.all(wave)).map((answer) => answer.job_id));
  }
  ctx.log(`${jobIds.length} batches queued behind ${slots} held files`);
  const files = new Map<string, FileTimes>();
  const seen = new Map<string, string[]>();
  const followed = [follow(server, warmUp.job_id, files, seen), ...jobIds.map((id) => follow(server, id, files, seen))];
  await Promise.all(followed.map((f) => f.stream.opened));
  ctx.log(`following ${followed.length} jobs; releasing`);

  const pids = [...new Set([server.pid, ...workers.map((w) => w.pid)])];
  const apartPids = opts.apartPids ?? [];
  const cpuBefore = sum(pids.map(readCpuMs));
  const apartBefore = sum(apartPids.map(readCpuMs));
  const started = nowMs();
  await Promise.all(workers.map((w) => w.call('open')));
  await Promise.all(followed.map((f) => f.stream.ended));
  const finished = nowMs();
  const cpuMs = sum(pids.map(readCpuMs)) - cpuBefore;
  const apartCpuMs = sum(apartPids.map(readCpuMs)) - apartBefore;

  const total = batches * filesPerBatch;
  const notDone = followed.filter((f) => f.status() !== 'completed').length;
  if (notDone > 0) throw new Error(`${notDone} jobs did not end completed`);
  const completions = [...files.values()].map((t) => t.completedAt).filter((t): t is number => t !== null).sort((a, b) => a - b);
  // A file's orchestration time: from the moment its worker slot freed (the latest completion
  // seen before its pick-up) to its own completed event. With an instant provider that is the
  // queue hand-off, the store and storage writes and the events, and nothing else.
  const perFile: number[] = [];
  const lost: string[] = [];
  for (const [key, times] of files) {
    if (key.startsWith(`${warmUp.job_id}/`)) continue;
    if (times.pickedAt === null || times.completedAt === null) {
      lost.push(`${key} (no ${times.pickedAt === null ? '`progress 0`' : '`completed`'}; its events: ${(seen.get(key) ?? []).join(', ')})`);
      continue;
    }
    const pickedAt = times.pickedAt;
    const slotFreed = completions.filter((t) => t <= pickedAt).at(-1) ?? started;
    perFile.push(times.completedAt - slotFreed);
  }
  if (perFile.length + lost.length !== total) throw new Error(`saw ${perFile.length + lost.length} of ${total} files`);
  // A few lost events are a finding to report; many mean the measurement itself is broken.
  if (lost.length > total / 20) throw new Error(`${lost.length} of ${total} files lost events, e.g. ${lost[0] ?? ''}`);
  if (lost.length > 0) ctx.log(`${lost.length} file(s) lost events: ${lost.join('; ')}`);
  return {
    lost: lost.length,
    lostExample: lost[0] ?? null,
    files: total,
    startedAt: started,
    finishedAt: finished,
    p50: percentile(perFile, 50),
    p90: percentile(perFile, 90),
    filesPerSecond: total / ((finished - started) / 1000),
    cpuPerFileMs: cpuMs / (total + slots),
    apartCpuPerFileMs: apartCpuMs / (total + slots),
  };
}

async function embedded(ctx: CaseContext, batches: number): Promise<PipelineFigures> {
  const server = await startProduct(ctx, { env: SLOTS_ENV });
  return measurePipeline(ctx, server, [server.child], batches);
}

/** Whether a Redis answers at REDIS_URL (CI starts one; a laptop may not have one). */
export async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export interface DistributedOptions extends Omit<PipelineOptions, 'fields'> {
  /** A bucket's S3_* settings: storage on the bucket instead of one shared DATA_DIR. */
  storage?: Record<string, string> | undefined;
  /** The workers' provider: the instant bench provider, or the local generator. @default 'bench' */
  provider?: 'bench' | 'local';
}

/**
 * The API process plus WORKERS worker processes on one Redis (a key prefix of their own) and one
 * DATA_DIR, or (`storage`: a bucket's S3_* settings) on the bucket, each process with a DATA_DIR of its own.
 */
export async function distributed(ctx: CaseContext, batches: number, opts: DistributedOptions = {}): Promise<PipelineFigures> {
  const { storage, provider = 'bench', ...measured } = opts;
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  ctx.scope.defer(async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 })) if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
    } finally {
      redis.disconnect();
    }
  });
  const redisEnv = { REDIS_URL, REDIS_PREFIX: prefix, ...storage };
  const server = await startProduct(ctx, { env: { ...redisEnv, ...SLOTS_ENV } });
  const workers = await Promise.all(
    Array.from({ length: WORKERS }, async (_, i) =>
      startChild(benchScript('servers/bench-worker.js'), ctx.scope, {
        env: { NODE_ENV: 'production', LOG_LEVEL: 'info', BENCH_PROVIDER: provider, DATA_DIR: storage ? await mkdtemp(join(ctx.workDir, `worker-${i + 1}-`)) : server.dataDir, ...redisEnv, ...SLOTS_ENV },
        execArgv: profileArgs(ctx, `worker-${i + 1}`),
      }),
    ),
  );
  return measurePipeline(ctx, server, workers, batches, measured);
}

async function run(ctx: CaseContext) {
  const batches = ctx.quick ? 1 : 40;
  const local = await embedded(ctx, batches);
  const redis = await redisAnswers();
  const shared = redis ? await distributed(ctx, batches) : null;
  const measures: Measure[] = [
    { what: 'embedded: orchestration per file, p50', ours: `${fmt(local.p50, 2)} ms`, baseline: '—', ratio: '', target: '≤ 5 ms', verdict: verdict(local.p50 <= 5) },
    { what: 'embedded: orchestration per file, p90', ours: `${fmt(local.p90, 2)} ms`, baseline: '—', ratio: '', target: '', verdict: 'reported' },
    { what: `embedded: throughput (${SLOTS_PER_WORKER} slots)`, ours: `${fmt(local.filesPerSecond)} files/s`, baseline: '—', ratio: '', target: '', verdict: 'reported' },
    { what: 'embedded: server CPU per file', ours: `${fmt(local.cpuPerFileMs, 2)} ms`, baseline: '—', ratio: '', target: '', verdict: 'reported' },
  ];
  if (shared) {
    measures.push(
      { what: `distributed (${WORKERS} workers × ${SLOTS_PER_WORKER} slots): throughput`, ours: `${fmt(shared.filesPerSecond)} files/s`, baseline: '—', ratio: '', target: '≥ 200 files/s', verdict: verdict(shared.filesPerSecond >= 200) },
      { what: 'distributed: orchestration per file, p50', ours: `${fmt(shared.p50, 2)} ms`, baseline: '—', ratio: '', target: '', verdict: 'reported' },
      { what: 'distributed: CPU per file (API + workers)', ours: `${fmt(shared.cpuPerFileMs, 2)} ms`, baseline: '—', ratio: '', target: '', verdict: 'reported' },
    );
  } else {
    measures.push({ what: `distributed (${WORKERS} workers): throughput`, ours: `no Redis at ${REDIS_URL}`, baseline: '—', ratio: '', target: '≥ 200 files/s', verdict: 'pending' });
  }
  const lostRow = (mode: string, figures: PipelineFigures): Measure => ({
    what: `${mode}: files whose \`completed\` event the stream never delivered`,
    ours: figures.lost === 0 ? 'none' : `${figures.lost} of ${fmt(figures.files)}, e.g. ${figures.lostExample ?? ''}`,
    baseline: '—',
    ratio: '',
    target: 'none (every subscriber gets every event)',
    verdict: verdict(figures.lost === 0),
  });
  measures.push(lostRow('embedded', local));
  if (shared) measures.push(lostRow('distributed', shared));
  const lostPart = [local, ...(shared ? [shared] : [])].some((f) => f.lost > 0) ? `; EVENTS LOST: ${local.lost} embedded, ${shared?.lost ?? 0} distributed` : '';
  const distributedPart = shared ? `distributed ${fmt(shared.filesPerSecond)} files/s (p50 ${fmt(shared.p50, 2)} ms)` : `distributed skipped (no Redis at ${REDIS_URL})`;
  return {
    line: `pipeline: ${fmt(local.files)} files, embedded p50 ${fmt(local.p50, 2)} ms per file (p90 ${fmt(local.p90, 2)} ms), ${fmt(local.filesPerSecond)} files/s, ${fmt(local.cpuPerFileMs, 2)} ms CPU per file; ${distributedPart}${lostPart}: ${summaryVerdict(measures)}`,
    measures,
    method:
      `${batches} batches of ${FILES_PER_BATCH} small JPEGs uploaded to the product server (instant bench provider) while a warm-up job held every worker slot; ` +
      'every job followed on `/api/v1/status/stream/{job_id}` from the runner; then the slots were released and timed until every job\'s `done`. ' +
      "Per file: from its slot freeing (the latest `completed` seen before the file's pick-up event, `progress 0`) to its own `completed` event, " +
      'so it covers the queue hand-off, the store and storage writes and the events; throughput = files / time from release to the last `done`; ' +
      'CPU per file = the CPU time of our processes over that span / files. ' +
      `Embedded: one process, ${SLOTS_PER_WORKER} slots (WORKER_CONCURRENCY=${SLOTS_PER_WORKER}). Distributed: REDIS_URL=${REDIS_URL} with a key prefix of its own, the API process and ${WORKERS} worker processes ` +
      '(`bench/servers/bench-worker.ts`, started by `startWorker` like `apps/server/src/worker.ts`, with the bench provider) sharing one DATA_DIR; Redis\'s own CPU is not counted.',
  };
}

const LIMITS = `
**What limits it now: one fsync wait per file, and the disk's queue.** Each embedded file used to wait on four fsynced writes in a row (the \`processing\` mark, the model, the preview, the \`completed\` mark), each after its own \`mkdir -p\`. Now (packages/core): the \`processing\` mark and progress are not waited on (a restart resumes pending and processing files alike; they are written within 200 ms or folded into the next durable write); the model and preview are written together, and the \`completed\` mark's \`job.json\` is written while they sync and put in place only once they are durable, so a file waits on one fsync stage instead of four; directories are created only when a write fails for lack of one; \`job.json\` writes of one job overlap (an older snapshot that finishes last is dropped); bursts of events go to \`events.jsonl\` in one append. Crash safety is unchanged: a blob is durable before the mark that names it, the mark before its event. What remains per file is that fsync stage (about 1.3–3 ms on the disks seen here) and libuv's four file-system threads, which the fsyncs of both slots share with the event appends.

**Distributed** (2 worker processes × 2 slots, Redis): one round trip per step. A file's state change, its event and the job's \`done\` are one Lua script (\`packages/core/src/adapters/redis/file-transitions.redis.ts\`), so each step costs one Redis round trip instead of two or three, and a worker killed between the two can no longer lose an event; providers get the stored photo's path instead of its bytes. What is left per file: BullMQ's own round trips (move to completed, fetch the next job) and the fsync'd blob writes to the shared DATA_DIR. Throughput grows with slots (\`WORKER_CONCURRENCY\` defaults to 8 with FAL, whose slots wait on the network); the case keeps 2 per worker so runs compare across machines.

**A correctness finding, fixed.** A job's stream could end at \`done\` before another file's \`completed\` had been appended (two files finishing together in two slots), and no subscriber ever got that \`completed\`. The store change and its event are now one step (a Lua script in Redis; in embedded mode the event is queued in the same synchronous step as the store's update), and the rows above count any file whose \`completed\` the stream never delivered.
`;

export const pipelineCase: BenchCase = {
  name: 'pipeline',
  budgetMs: { quick: 40_000, full: 110_000 },
  run,
  limits: LIMITS,
};
