import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { auth, getJson } from '../lib/http.js';
import { BENCH_KEY, startProduct } from '../lib/product.js';
import { readRss } from '../lib/rss.js';
import { fmt, fmtRatio, median, nowMs, percentile } from '../lib/stats.js';

const MB = 1024 * 1024;
const OWNER = createHash('sha256').update(BENCH_KEY).digest('hex');
const STATUSES = ['completed', 'failed'] as const;
/** The seeded jobs are old: retention (RETENTION_HOURS) would delete them at start. */
const KEEP_JOBS = { RETENTION_HOURS: '0' };

interface Page {
  jobs: { job_id: string; created_at: string }[];
  next_cursor: string | null;
}

/**
 * `count` finished jobs of the bench key as a data directory holds them (job.json and an event log
 * ending in `done`), written directly (no fsync): what a long-lived deployment accumulates.
 */
async function seed(dataDir: string, count: number): Promise<void> {
  const base = Date.UTC(2024, 0, 1);
  const write = async (i: number) => {
    const at = new Date(base + i * 1000);
    const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
    const jobId = `batch_${stamp}_${i.toString(36).padStart(6, '0')}`;
    const iso = at.toISOString();
    const status = STATUSES[i % 2] as (typeof STATUSES)[number];
    const file = {
      file_id: 'file_001', filename: 'photo.png', status, progress: 100, model_task_id: `task_${i}`, face_limit: null,
      error: status === 'failed' ? { code: 'PROCESSING_ERROR', message: 'x' } : null, image_key: `jobs/${jobId}/uploads/file_001.png`,
      model_key: status === 'completed' ? `jobs/${jobId}/models/file_001.glb` : null, preview_key: null, remote_model_url: null,
      generation: 1, warnings: [], shape: null, created_at: iso, updated_at: iso,
    };
    const job = { job_id: jobId, session_id: `sess_${'a'.repeat(32)}`, owner: OWNER, face_limit: null, created_at: iso, updated_at: iso };
    const dir = join(dataDir, 'jobs', jobId);
    await mkdir(dir, { recursive: true });
    const final = status === 'completed' ? { type: 'completed', job_id: jobId, file_id: 'file_001' } : { type: 'failed', job_id: jobId, file_id: 'file_001', error: file.error };
    await Promise.all([
      writeFile(join(dir, 'job.json'), JSON.stringify({ version: 1, job, files: [file] })),
      writeFile(join(dir, 'events.jsonl'), `${JSON.stringify({ ...final, id: '1' })}\n${JSON.stringify({ type: 'done', job_id: jobId, status, id: '2' })}\n`),
    ]);
  };
  for (let i = 0; i < count; i += 64) await Promise.all(Array.from({ length: Math.min(64, count - i) }, (_, k) => write(i + k)));
}

interface Store {
  jobs: number;
  /** First start: the index built from the job.json files (the migration of an older data directory). */
  migrateMs: number;
  /** Second start, index in place: spawn to ready, and the process's RSS then. */
  readyMs: number;
  rssMb: number;
  latencies: number[];
}

const START_TIMEOUT_MS = 15 * 60_000;

/** Starts the product on a seeded data directory twice, then times pages of GET /api/v1/jobs. */
async function measureStore(ctx: CaseContext, count: number, requests: number): Promise<Store> {
  const dataDir = await mkdtemp(join(ctx.workDir, `jobs-${count}-`));
  const seeded = nowMs();
  await seed(dataDir, count);
  ctx.log(`${count} jobs seeded in ${fmt(nowMs() - seeded)} ms`);
  let started = nowMs();
  // The first start builds the index from every job.json: minutes for 100,000 jobs on this host.
  const first = await startProduct(ctx, { dataDir, env: KEEP_JOBS, readyTimeoutMs: START_TIMEOUT_MS });
  const migrateMs = nowMs() - started;
  await first.child.call('close');
  await first.child.stop();
  started = nowMs();
  const server = await startProduct(ctx, { dataDir, env: KEEP_JOBS, readyTimeoutMs: START_TIMEOUT_MS });
  const readyMs = nowMs() - started;
  const rssMb = readRss(server.pid) / MB;
  const headers = auth(server.key);
  // A cursor half-way down the list, reached through created_before (as a client deep in a walk holds).
  const middle = new Date(Date.UTC(2024, 0, 1) + Math.floor(count / 2) * 1000).toISOString();
  const deep = await getJson<Page>(`${server.api}/jobs?limit=20&created_before=${encodeURIComponent(middle)}`, headers);
  const queries = ['?limit=20', '?limit=20&status=failed', `?limit=20&cursor=${encodeURIComponent(deep.next_cursor ?? '')}`, '?limit=100&status=completed,partial'];
  const latencies: number[] = [];
  for (let i = 0; i < requests; i++) {
    const query = queries[i % queries.length] as string;
    const at = nowMs();
    const page = await getJson<Page>(`${server.api}/jobs${query}`, headers);
    latencies.push(nowMs() - at);
    if (page.jobs.length === 0) throw new Error(`GET /jobs${query} listed nothing of ${count} jobs`);
  }
  await server.child.call('close');
  await server.child.stop();
  return { jobs: count, migrateMs, readyMs, rssMb, latencies };
}

async function run(ctx: CaseContext) {
  const large = ctx.quick ? 2_000 : 100_000;
  const requests = ctx.quick ? 40 : 400;
  const smallStore = await measureStore(ctx, 100, requests);
  const largeStore = await measureStore(ctx, large, requests);
  const p = (store: Store, q: number) => (q === 50 ? median(store.latencies) : percentile(store.latencies, q));
  const jobs = large.toLocaleString('en-US');
  const measures: Measure[] = [
    { what: `GET /jobs p50, ${jobs} jobs vs 100`, ours: `${fmt(p(largeStore, 50), 2)} ms`, baseline: `${fmt(p(smallStore, 50), 2)} ms`, ratio: fmtRatio(p(largeStore, 50) / p(smallStore, 50)), target: '≤ 3× (an index, not a scan)', verdict: verdict(p(largeStore, 50) <= 3 * p(smallStore, 50)) },
    { what: `GET /jobs p99, ${jobs} jobs vs 100`, ours: `${fmt(p(largeStore, 99), 2)} ms`, baseline: `${fmt(p(smallStore, 99), 2)} ms`, ratio: fmtRatio(p(largeStore, 99) / p(smallStore, 99)), target: '≤ 3×', verdict: verdict(p(largeStore, 99) <= 3 * p(smallStore, 99)) },
    { what: `start to ready, ${jobs} stored jobs vs 100`, ours: `${fmt(largeStore.readyMs)} ms`, baseline: `${fmt(smallStore.readyMs)} ms`, ratio: fmtRatio(largeStore.readyMs / smallStore.readyMs), target: 'reported', verdict: 'reported' },
    { what: `RSS when ready, ${jobs} stored jobs vs 100`, ours: `${fmt(largeStore.rssMb)} MB`, baseline: `${fmt(smallStore.rssMb)} MB`, ratio: fmtRatio(largeStore.rssMb / smallStore.rssMb), target: '≤ 1.5× (no job held in memory for being stored)', verdict: verdict(largeStore.rssMb <= 1.5 * smallStore.rssMb) },
    { what: `first start (index built from job.json), ${jobs} jobs vs 100`, ours: `${fmt(largeStore.migrateMs)} ms`, baseline: `${fmt(smallStore.migrateMs)} ms`, ratio: fmtRatio(largeStore.migrateMs / smallStore.migrateMs), target: 'reported (once per data directory)', verdict: 'reported' },
  ];
  return {
    line: `jobs-list: p50 ${fmt(p(largeStore, 50), 2)} ms at ${jobs} jobs vs ${fmt(p(smallStore, 50), 2)} ms at 100; ready in ${fmt(largeStore.readyMs)} ms, ${fmt(largeStore.rssMb)} MB RSS: ${summaryVerdict(measures)}`,
    measures,
    method:
      `Embedded mode. Two data directories seeded directly (finished one-file jobs of one key, job.json and an event log each): 100 jobs, and ${jobs}. ` +
      'Each is started twice with the product server: the first start builds the index from the job.json files (the migration), the second is timed from spawn to ready, with its RSS read from /proc then. ' +
      `Then ${requests} sequential GET /api/v1/jobs per store, cycling through the first page, a status filter, a cursor half-way down the list and a 100-job page of two statuses; p50 and p99 of the client's wall clock.`,
  };
}

const LIMITS = `
**What limits it now: the page's own jobs, not the stored ones.** A page is one range read of the SQLite index per status (owner, status, created_at|job_id), then the page's jobs read from memory or their job.json; neither grows with the jobs stored. Start-up reads only the jobs the previous run changed; what still grows with the stored jobs at start is the data directory's leftover sweep (one directory read per job, \`sweepLeftovers\`), and the index's first build when a data directory from before it is opened (every job.json once).
`;

export const jobsListCase: BenchCase = {
  name: 'jobs-list',
  budgetMs: { quick: 60_000, full: 300_000 },
  run,
  limits: LIMITS,
};
