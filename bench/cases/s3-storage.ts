import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { benchScript, startChild } from '../lib/child.js';
import { auth, drain, multipartBody, postBody } from '../lib/http.js';
import { jpegOfSize } from '../lib/images.js';
import { startProduct, waitForJob, type ProductServer } from '../lib/product.js';
import { watchRss, type RssGrowth } from '../lib/rss.js';
import { fmt, fmtRatio, nowMs, sum } from '../lib/stats.js';
import { distributed, redisAnswers, REDIS_URL, type PipelineFigures } from './pipeline.js';

const MB = 1_000_000;
const FILE_BYTES = 10 * MB;
const DOWNLOADS_IN_FLIGHT = 4;

type Storage = 'fs' | 's3';

/** s3rver in its own process; each use gets a prefix of its own in its bucket. */
async function startBucket(ctx: CaseContext): Promise<(prefix: string) => Record<string, string>> {
  const child = await startChild(benchScript('servers/s3-server.js'), ctx.scope, { env: { BENCH_S3_DIR: await mkdtemp(join(ctx.workDir, 's3rver-')) } });
  const { endpoint, bucket } = child.info as { endpoint: string; bucket: string };
  ctx.log(`s3rver pid ${child.pid} at ${endpoint}`);
  return (prefix) => ({
    S3_BUCKET: bucket,
    S3_ENDPOINT: endpoint,
    S3_REGION: 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    S3_PREFIX: prefix,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
}

interface Transfer {
  uploadMbps: number;
  downloadMbps: number;
  rss: RssGrowth;
}

/** One batch of `files` photos posted to the server, then every photo downloaded back (DOWNLOADS_IN_FLIGHT at a time). */
async function transfer(server: ProductServer, files: number, jpeg: Buffer): Promise<Transfer> {
  const body = multipartBody(Array.from({ length: files }, (_, i) => ({ name: `photo-${i + 1}.jpg`, data: jpeg, type: 'image/jpeg' })));
  const rss = watchRss(server.pid);
  const posted = nowMs();
  const answer = JSON.parse(await postBody(`${server.api}/upload/batch`, body, auth(server.key))) as { job_id: string; files: { file_id: string }[] };
  const uploadSeconds = (nowMs() - posted) / 1000;
  const growth = rss.stop();
  await waitForJob(server, answer.job_id);
  const ids = answer.files.map((f) => f.file_id);
  const fetched = nowMs();
  let bytes = 0;
  for (let i = 0; i < ids.length; i += DOWNLOADS_IN_FLIGHT) {
    bytes += sum(await Promise.all(ids.slice(i, i + DOWNLOADS_IN_FLIGHT).map((id) => drain(`${server.api}/download/${answer.job_id}/${id}/photo`, auth(server.key)))));
  }
  const downloadSeconds = (nowMs() - fetched) / 1000;
  if (bytes !== files * jpeg.length) throw new Error(`downloaded ${bytes} bytes of ${files * jpeg.length}`);
  return { uploadMbps: body.length / MB / uploadSeconds, downloadMbps: bytes / MB / downloadSeconds, rss: growth };
}

async function run(ctx: CaseContext) {
  const files = ctx.quick ? 3 : 25;
  const rounds = ctx.quick ? 1 : 2;
  const batches = ctx.quick ? 1 : 8;
  const bucket = await startBucket(ctx);
  const jpeg = await jpegOfSize(FILE_BYTES);

  // Upload and download: one embedded server per storage, rounds alternating which goes first.
  const servers: Record<Storage, ProductServer> = {
    fs: await startProduct(ctx),
    s3: await startProduct(ctx, { env: bucket('transfer/') }),
  };
  const transfers: Record<Storage, Transfer[]> = { fs: [], s3: [] };
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? (['fs', 's3'] as const) : (['s3', 'fs'] as const)) {
      ctx.log(`transfer round ${round + 1}: ${side}`);
      transfers[side].push(await transfer(servers[side], files, jpeg));
    }
  }
  await Promise.all([servers.fs.child.stop(), servers.s3.child.stop()]);

  // The distributed pipeline on each storage, in turn: one shared DATA_DIR, or a bucket and a DATA_DIR per process.
  const redis = await redisAnswers();
  const runs: Record<Storage, PipelineFigures[]> = { fs: [], s3: [] };
  for (let round = 0; redis && round < rounds; round++) {
    for (const side of round % 2 === 0 ? (['fs', 's3'] as const) : (['s3', 'fs'] as const)) {
      ctx.log(`pipeline round ${round + 1}: ${side}`);
      runs[side].push(await distributed(ctx, batches, side === 's3' ? bucket(`pipeline-${round + 1}/`) : undefined));
    }
  }
  const averaged = (list: PipelineFigures[]) => ({
    filesPerSecond: sum(list.map((f) => f.files)) / sum(list.map((f) => (f.finishedAt - f.startedAt) / 1000)),
    p50: sum(list.map((f) => f.p50)) / list.length,
    cpuPerFileMs: sum(list.map((f) => f.cpuPerFileMs)) / list.length,
  });
  const pipeline = redis ? { fs: averaged(runs.fs), s3: averaged(runs.s3) } : {};

  const mean = (list: Transfer[], pick: (t: Transfer) => number) => sum(list.map(pick)) / list.length;
  const up = { fs: mean(transfers.fs, (t) => t.uploadMbps), s3: mean(transfers.s3, (t) => t.uploadMbps) };
  const down = { fs: mean(transfers.fs, (t) => t.downloadMbps), s3: mean(transfers.s3, (t) => t.downloadMbps) };
  const rss = { fs: Math.max(...transfers.fs.map((t) => t.rss.growthMb)), s3: Math.max(...transfers.s3.map((t) => t.rss.growthMb)) };
  const measures: Measure[] = [];
  if (pipeline.fs && pipeline.s3) {
    const ratio = pipeline.s3.filesPerSecond / pipeline.fs.filesPerSecond;
    measures.push(
      { what: 'distributed pipeline throughput (2 workers × 2 slots)', ours: `${fmt(pipeline.s3.filesPerSecond)} files/s`, baseline: `${fmt(pipeline.fs.filesPerSecond)} files/s`, ratio: fmtRatio(ratio), target: '≥ 0.8×', verdict: verdict(ratio >= 0.8) },
      { what: 'distributed pipeline: orchestration per file, p50', ours: `${fmt(pipeline.s3.p50, 2)} ms`, baseline: `${fmt(pipeline.fs.p50, 2)} ms`, ratio: fmtRatio(pipeline.s3.p50 / pipeline.fs.p50), target: '', verdict: 'reported' },
      { what: 'distributed pipeline: CPU per file (API + workers; s3rver not counted)', ours: `${fmt(pipeline.s3.cpuPerFileMs, 2)} ms`, baseline: `${fmt(pipeline.fs.cpuPerFileMs, 2)} ms`, ratio: fmtRatio(pipeline.s3.cpuPerFileMs / pipeline.fs.cpuPerFileMs), target: '', verdict: 'reported' },
    );
  } else {
    measures.push({ what: 'distributed pipeline throughput', ours: `no Redis at ${REDIS_URL}`, baseline: '—', ratio: '', target: '≥ 0.8×', verdict: 'pending' });
  }
  measures.push(
    { what: `upload of ${files} × 10 MB (one batch)`, ours: `${fmt(up.s3)} MB/s`, baseline: `${fmt(up.fs)} MB/s`, ratio: fmtRatio(up.s3 / up.fs), target: '', verdict: 'reported' },
    { what: `download of the ${files} photos, ${DOWNLOADS_IN_FLIGHT} at a time`, ours: `${fmt(down.s3)} MB/s`, baseline: `${fmt(down.fs)} MB/s`, ratio: fmtRatio(down.s3 / down.fs), target: '', verdict: 'reported' },
    { what: `server RSS growth during the ${files} × 10 MB upload (peak)`, ours: `${fmt(rss.s3)} MB`, baseline: `${fmt(rss.fs)} MB`, ratio: '', target: '≤ 64 MB', verdict: verdict(rss.s3 <= 64) },
  );
  const pipelinePart = pipeline.fs && pipeline.s3 ? `pipeline ${fmt(pipeline.s3.filesPerSecond)} vs ${fmt(pipeline.fs.filesPerSecond)} files/s (${fmtRatio(pipeline.s3.filesPerSecond / pipeline.fs.filesPerSecond)})` : `pipeline skipped (no Redis at ${REDIS_URL})`;
  return {
    line: `s3: S3 vs FS storage: ${pipelinePart}, upload ${fmt(up.s3)} vs ${fmt(up.fs)} MB/s, download ${fmt(down.s3)} vs ${fmt(down.fs)} MB/s, RSS +${fmt(rss.s3)} MB on S3: ${summaryVerdict(measures)}`,
    measures,
    method:
      'Ours = S3 storage (`S3_BUCKET` on @20minutes/s3rver 4.0.4, in its own process on loopback, which checks SigV4 and writes to the same disk), baseline = file-system storage (`DATA_DIR`), same run. ' +
      `Transfers: an embedded product server per storage (instant bench provider); one batch of ${files} × 10 MB JPEGs (camera noise) posted to \`/api/v1/upload/batch\`, then every photo read back from \`/download/{job_id}/{file_id}/photo\`, ${DOWNLOADS_IN_FLIGHT} at a time; ` +
      `${rounds} round(s) per side, alternating which goes first; MB/s = bytes / wall time (upload: first byte sent to the answer, which comes once every photo is stored); RSS growth = the server's peak during the upload − before it (worst round). ` +
      `Pipeline: as the pipeline case's distributed run (the API process and 2 workers × 2 slots on Redis, ${batches} batches of 25 small JPEGs queued behind held slots, then released and timed to the last \`done\`), ` +
      `with one shared DATA_DIR, or on the bucket with a private DATA_DIR per process; ${rounds} round(s) per side, alternating; throughput = files / time over the rounds, p50 and CPU the rounds' mean.`,
  };
}

const LIMITS = `
**What limits it: round trips to the S3 server, not our CPU.** On S3 every blob is a request instead of a file write: per file a worker fetches the photo (the temporary copy a provider reads), then PUTs the model and the preview; each upload is a PUT per photo (multipart above 8 MiB). The workers' profiles are about 85 % idle on S3 (against 91 % on the shared folder): a slot waits on s3rver, a single Node process that stores every object as files (and their metadata) on the same disk and shares the two cores with everything else, so a file's time grows about 2.7-fold and, with the case's fixed 2 slots per worker, the throughput halves. A real S3 answers each request in tens of milliseconds over the network instead; either way more slots (\`WORKER_CONCURRENCY\`, 8 by default with FAL) hide the latency, and the CPU per file (the SDK's signing and HTTP, about 2–3 ms per request) is what scaling out costs. **Fixed on the way:** lib-storage's \`Upload\` buffered up to 16 MiB of every photo it moved into the bucket, and a batch moves its 25 photos at once: +385 MB of RSS for 25 × 10 MB; \`moveIn\` now sends each 8 MiB part streamed from its byte range of the file (\`S3BlobStorage.putFileInParts\`), which brought it to the figure above. The storage counts cost a HEAD before a write only when the key may already hold a blob (a regeneration, a retry): a new job's photos and a file's first models skip it, which took two of five requests per file off the pipeline.
`;

export const s3StorageCase: BenchCase = {
  name: 's3',
  budgetMs: { quick: 60_000, full: 240_000 },
  run,
  limits: LIMITS,
};
