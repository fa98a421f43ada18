import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { auth, uploadBatch, type FilePart } from '../lib/http.js';
import { tinyPhoto } from '../lib/images.js';
import { startProduct, waitForHeld, type ProductServer } from '../lib/product.js';
import { subscribe } from '../lib/sse.js';
import { fmt, nowMs, percentile } from '../lib/stats.js';

const FILES_PER_BATCH = 25;
const UPLOADS_IN_FLIGHT = 4;
/** The embedded queue's default concurrency (WORKER_CONCURRENCY unset). */
const CONCURRENCY = 2;

interface FileTimes {
  pickedAt: number | null;
  completedAt: number | null;
}

/** Follows one job's stream, noting when each file was picked up (its progress 0) and completed. */
function follow(server: ProductServer, jobId: string, files: Map<string, FileTimes>, measured: boolean) {
  let status: string | null = null;
  const stream = subscribe(`${server.api}/status/stream/${jobId}`, auth(server.key), (event, at) => {
    const data = JSON.parse(event.data) as { type: string; file_id?: string; progress?: number; status?: string };
    if (data.type === 'done') status = data.status ?? null;
    if (!data.file_id) return;
    const key = `${jobId}/${data.file_id}`;
    const times = files.get(key) ?? { pickedAt: null, completedAt: null };
    if (data.type === 'progress' && data.progress === 0) times.pickedAt ??= at;
    if (data.type === 'completed') times.completedAt = at;
    if (measured || data.type === 'completed') files.set(key, times);
  });
  return { stream, status: () => status };
}

async function run(ctx: CaseContext) {
  const batches = ctx.quick ? 2 : 40;
  const server = await startProduct(ctx);
  const photo = await tinyPhoto();
  const parts = (prefix: string, n: number): FilePart[] => Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i + 1}.jpg`, data: photo, type: 'image/jpeg' }));

  // Occupy every worker slot with a held warm-up job, queue the measured batches behind it and
  // subscribe to every job, so each measured file's events are seen live from its pick-up.
  await server.child.call('hold');
  const warmUp = await uploadBatch(server.api, server.key, parts('warm-up', CONCURRENCY));
  await waitForHeld(server, CONCURRENCY);
  const jobIds: string[] = [];
  for (let next = 0; next < batches; next += UPLOADS_IN_FLIGHT) {
    const wave = Array.from({ length: Math.min(UPLOADS_IN_FLIGHT, batches - next) }, (_, i) => uploadBatch(server.api, server.key, parts(`batch-${next + i + 1}`, FILES_PER_BATCH)));
    jobIds.push(...(await Promise.all(wave)).map((answer) => answer.job_id));
  }
  ctx.log(`${jobIds.length} batches queued behind ${CONCURRENCY} held files`);
  const files = new Map<string, FileTimes>();
  const followed = [follow(server, warmUp.job_id, files, false), ...jobIds.map((id) => follow(server, id, files, true))];
  await Promise.all(followed.map((f) => f.stream.opened));

  const started = nowMs();
  await server.child.call('open');
  await Promise.all(followed.map((f) => f.stream.ended));
  const finished = nowMs();

  const total = batches * FILES_PER_BATCH;
  const notDone = followed.filter((f) => f.status() !== 'completed').length;
  if (notDone > 0) throw new Error(`${notDone} jobs did not end completed`);
  const completions = [...files.values()].map((t) => t.completedAt).filter((t): t is number => t !== null).sort((a, b) => a - b);
  // A file's orchestration time: from the moment its worker slot freed (the latest completion
  // before its pick-up was seen) to its own completed event; with an instant provider that is
  // the queue hand-off, the store writes, the storage writes and the events, nothing else.
  const perFile: number[] = [];
  for (const [key, times] of files) {
    if (key.startsWith(warmUp.job_id)) continue;
    if (times.pickedAt === null || times.completedAt === null) throw new Error(`file ${key} was not seen picked up and completed`);
    const pickedAt = times.pickedAt;
    const slotFreed = completions.filter((t) => t <= pickedAt).at(-1) ?? started;
    perFile.push(times.completedAt - slotFreed);
  }
  if (perFile.length !== total) throw new Error(`saw ${perFile.length} of ${total} files`);
  const p50 = percentile(perFile, 50);
  const p90 = percentile(perFile, 90);
  const filesPerSecond = total / ((finished - started) / 1000);
  const measures: Measure[] = [
    { what: 'embedded: orchestration per file, p50', ours: `${fmt(p50, 2)} ms`, baseline: '—', ratio: '', target: '≤ 5 ms', verdict: verdict(p50 <= 5) },
    { what: 'embedded: orchestration per file, p90', ours: `${fmt(p90, 2)} ms`, baseline: '—', ratio: '', target: '', verdict: 'reported' },
    { what: `embedded: throughput (${CONCURRENCY} slots)`, ours: `${fmt(filesPerSecond)} files/s`, baseline: '—', ratio: '', target: '', verdict: 'reported' },
    distributedRow(),
  ];
  return {
    line: `pipeline: ${fmt(total)} files, embedded p50 ${fmt(p50, 2)} ms per file (p90 ${fmt(p90, 2)} ms), ${fmt(filesPerSecond)} files/s; distributed ${measures[3]?.ours}: ${summaryVerdict(measures)}`,
    measures,
    method:
      `${batches} batches of ${FILES_PER_BATCH} small JPEGs uploaded to the product server (instant bench provider, default ${CONCURRENCY} worker slots) while a warm-up job held every slot; ` +
      'every job followed on `/api/v1/status/stream/{job_id}` from the runner; then the slots were released and timed until every job\'s `done`. ' +
      "Per file: from its slot freeing (the latest `completed` seen before the file's pick-up event, `progress 0`) to its own `completed` event, " +
      'so it covers the queue hand-off, the store and storage writes and the events; throughput = files / time from release to the last `done`.',
  };
}

function distributedRow(): Measure {
  const worker = fileURLToPath(new URL('../../../apps/server/dist/worker.js', import.meta.url));
  const base = { what: 'distributed (REDIS_URL, 2 workers): throughput', baseline: '—', ratio: '', target: '≥ 200 files/s' } as const;
  if (!existsSync(worker)) return { ...base, ours: 'pending distributed mode', verdict: 'pending' };
  return { ...base, ours: 'pending: worker.js exists but the bench does not drive it yet', verdict: 'pending' };
}

export const pipelineCase: BenchCase = {
  name: 'pipeline',
  budgetMs: { quick: 30_000, full: 90_000 },
  run,
  limits: '',
};
