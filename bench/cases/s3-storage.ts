import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { benchScript, startChild } from '../lib/child.js';
import { auth, drain, multipartBody, postBody } from '../lib/http.js';
import { jpegOfSize, productPhoto } from '../lib/images.js';
import { startProduct, waitForJob, type ProductServer } from '../lib/product.js';
import { watchRss, type RssGrowth } from '../lib/rss.js';
import { fmt, fmtRatio, nowMs, sum } from '../lib/stats.js';
import { distributed, redisAnswers, REDIS_URL, type PipelineFigures } from './pipeline.js';

const MB = 1_000_000;
const FILE_BYTES = 10 * MB;
const DOWNLOADS_IN_FLIGHT = 4;
/** The generator pipeline's photos: the product shot the generator is made for (the generator case's smallest size). */
const GENERATOR_PHOTO_PX = 512;

type Storage = 'fs' | 's3';

/** s3rver in its own process; each use gets a prefix of its own in its bucket. */
async function startBucket(ctx: CaseContext): Promise<{ env: (prefix: string) => Record<string, string>; pid: number }> {
  const child = await startChild(benchScript('servers/s3-server.js'), ctx.scope, { env: { BENCH_S3_DIR: await mkdtemp(join(ctx.workDir, 's3rver-')) } });
  const { endpoint, bucket } = child.info as { endpoint: string; bucket: string };
  ctx.log(`s3rver pid ${child.pid} at ${endpoint}`);
  const env = (prefix: string): Record<string, string> => ({
    S3_BUCKET: bucket,
    S3_ENDPOINT: endpoint,
    S3_REGION: 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    S3_PREFIX: prefix,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
  return { env, pid: child.pid };
}

interface PipelineOnBoth {
  filesPerSecond: number;
  p50: number;
  cpuPerFileMs: number;
  /** The S3 server's CPU per file (0 on the file system). */
  bucketCpuPerFileMs: number;
}

/** `measure` on each storage, `rounds` times, alternating which goes first; throughput over the rounds, p50 and CPU their mean. */
async function alternate(
  ctx: CaseContext,
  rounds: number,
  label: string,
  measure: (storage: { env: Record<string, string>; pid: number } | undefined) => Promise<PipelineFigures>,
  bucket: { env: (prefix: string) => Record<string, string>; pid: number },
): Promise<Record<Storage, PipelineOnBoth>> {
  const runs: Record<Storage, PipelineFigures[]> = { fs: [], s3: [] };
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? (['fs', 's3'] as const) : (['s3', 'fs'] as const)) {
      ctx.log(`${label} round ${round + 1}: ${side}`);
      const figures = await measure(side === 's3' ? { env: bucket.env(`${label.replace(/ /g, '-')}-${round + 1}/`), pid: bucket.pid } : undefined);
      ctx.log(`${label} round ${round + 1}: ${side} ${fmt(figures.filesPerSecond, 2)} files/s, ${fmt(figures.cpuPerFileMs, 1)} ms CPU per file`);
      runs[side].push(figures);
    }
  }
  const averaged = (list: PipelineFigures[]): PipelineOnBoth => ({
    filesPerSecond: sum(list.map((f) => f.files)) / sum(list.map((f) => (f.finishedAt - f.startedAt) / 1000)),
    p50: sum(list.map((f) => f.p50)) / list.length,
    cpuPerFileMs: sum(list.map((f) => f.cpuPerFileMs)) / list.length,
    bucketCpuPerFileMs: sum(list.map((f) => f.apartCpuPerFileMs)) / list.length,
  });
  return { fs: averaged(runs.fs), s3: averaged(runs.s3) };
}

/** CPU per file on the machine: the API and the workers, plus (S3) the S3 server, which shares the cores. */
function cpuRow(label: string, figures: Record<Storage, PipelineOnBoth>): Measure {
  const s3 = figures.s3.cpuPerFileMs + figures.s3.bucketCpuPerFileMs;
  return {
    what: `distributed pipeline, ${label}: CPU per file (API + workers, + s3rver on S3)`,
    ours: `${fmt(figures.s3.cpuPerFileMs, 1)} + ${fmt(figures.s3.bucketCpuPerFileMs, 1)} ms`,
    baseline: `${fmt(figures.fs.cpuPerFileMs, 1)} ms`,
    ratio: fmtRatio(s3 / figures.fs.cpuPerFileMs),
    target: '',
    verdict: 'reported',
  };
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
  const generatorBatches = ctx.quick ? 1 : 3;
  const generatorFiles = ctx.quick ? 4 : 15;
  const generatorRounds = ctx.quick ? 1 : 3;
  const bucket = await startBucket(ctx);
  const jpeg = await jpegOfSize(FILE_BYTES);

  // Upload and download: one embedded server per storage, rounds alternating which goes first.
  const servers: Record<Storage, ProductServer> = {
    fs: await startProduct(ctx),
    s3: await startProduct(ctx, { env: bucket.env('transfer/') }),
  };
  const transfers: Record<Storage, Transfer[]> = { fs: [], s3: [] };
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? (['fs', 's3'] as const) : (['s3', 'fs'] as const)) {
      ctx.log(`transfer round ${round + 1}: ${side}`);
      transfers[side].push(await transfer(servers[side], files, jpeg));
    }
  }
  await Promise.all([servers.fs.child.stop(), servers.s3.child.stop()]);

  // The distributed pipeline on each storage, in turn: one shared DATA_DIR, or a bucket and a DATA_DIR
  // per process; with the local generator (what a deployment without FAL runs), then with the
  // instant bench provider (the service's own work alone).
  const redis = await redisAnswers();
  const photo = await productPhoto(GENERATOR_PHOTO_PX);
  const generated = redis ? await alternate(ctx, generatorRounds, 'generator pipeline', (storage) => distributed(ctx, generatorBatches, { storage: storage?.env, apartPids: storage ? [storage.pid] : [], provider: 'local', photo, filesPerBatch: generatorFiles }), bucket) : null;
  const instant = redis ? await alternate(ctx, rounds, 'instant pipeline', (storage) => distributed(ctx, batches, { storage: storage?.env, apartPids: storage ? [storage.pid] : [] }), bucket) : null;

  const mean = (list: Transfer[], pick: (t: Transfer) => number) => sum(list.map(pick)) / list.length;
  const up = { fs: mean(transfers.fs, (t) => t.uploadMbps), s3: mean(transfers.s3, (t) => t.uploadMbps) };
  const down = { fs: mean(transfers.fs, (t) => t.downloadMbps), s3: mean(transfers.s3, (t) => t.downloadMbps) };
  const rss = { fs: Math.max(...transfers.fs.map((t) => t.rss.growthMb)), s3: Math.max(...transfers.s3.map((t) => t.rss.growthMb)) };
  const measures: Measure[] = [];
  if (generated && instant) {
    const ratio = generated.s3.filesPerSecond / generated.fs.filesPerSecond;
    measures.push(
      { what: `distributed pipeline throughput, local generator (${GENERATOR_PHOTO_PX}² photos; 2 workers × 2 slots)`, ours: `${fmt(generated.s3.filesPerSecond, 2)} files/s`, baseline: `${fmt(generated.fs.filesPerSecond, 2)} files/s`, ratio: fmtRatio(ratio), target: '≥ 0.8×', verdict: verdict(ratio >= 0.8) },
      cpuRow('local generator', generated),
      { what: 'distributed pipeline throughput, instant provider (the service\'s own work alone)', ours: `${fmt(instant.s3.filesPerSecond)} files/s`, baseline: `${fmt(instant.fs.filesPerSecond)} files/s`, ratio: fmtRatio(instant.s3.filesPerSecond / instant.fs.filesPerSecond), target: '', verdict: 'reported' },
      { what: 'distributed pipeline, instant provider: orchestration per file, p50', ours: `${fmt(instant.s3.p50, 2)} ms`, baseline: `${fmt(instant.fs.p50, 2)} ms`, ratio: fmtRatio(instant.s3.p50 / instant.fs.p50), target: '', verdict: 'reported' },
      cpuRow('instant provider', instant),
    );
  } else {
    measures.push({ what: 'distributed pipeline throughput', ours: `no Redis at ${REDIS_URL}`, baseline: '—', ratio: '', target: '≥ 0.8×', verdict: 'pending' });
  }
  measures.push(
    { what: `upload of ${files} × 10 MB (one batch)`, ours: `${fmt(up.s3)} MB/s`, baseline: `${fmt(up.fs)} MB/s`, ratio: fmtRatio(up.s3 / up.fs), target: '', verdict: 'reported' },
    { what: `download of the ${files} photos, ${DOWNLOADS_IN_FLIGHT} at a time`, ours: `${fmt(down.s3)} MB/s`, baseline: `${fmt(down.fs)} MB/s`, ratio: fmtRatio(down.s3 / down.fs), target: '', verdict: 'reported' },
    { what: `server RSS growth during the ${files} × 10 MB upload (peak)`, ours: `${fmt(rss.s3)} MB`, baseline: `${fmt(rss.fs)} MB`, ratio: '', target: '≤ 64 MB', verdict: verdict(rss.s3 <= 64) },
  );
  const pipelinePart =
    generated && instant
      ? `pipeline with the local generator ${fmt(generated.s3.filesPerSecond, 2)} vs ${fmt(generated.fs.filesPerSecond, 2)} files/s (${fmtRatio(generated.s3.filesPerSecond / generated.fs.filesPerSecond)}), with the instant provider ${fmt(instant.s3.filesPerSecond)} vs ${fmt(instant.fs.filesPerSecond)} files/s (${fmtRatio(instant.s3.filesPerSecond / instant.fs.filesPerSecond)})`
      : `pipeline skipped (no Redis at ${REDIS_URL})`;
  return {
    line: `s3: S3 vs FS storage: ${pipelinePart}, upload ${fmt(up.s3)} vs ${fmt(up.fs)} MB/s, download ${fmt(down.s3)} vs ${fmt(down.fs)} MB/s, RSS +${fmt(rss.s3)} MB on S3: ${summaryVerdict(measures)}`,
    measures,
    method:
      'Ours = S3 storage (`S3_BUCKET` on @20minutes/s3rver 4.0.4, in its own process on loopback, which checks SigV4 and writes to the same disk), baseline = file-system storage (`DATA_DIR`), same run. ' +
      `Transfers: an embedded product server per storage (instant bench provider); one batch of ${files} × 10 MB JPEGs (camera noise) posted to \`/api/v1/upload/batch\`, then every photo read back from \`/download/{job_id}/{file_id}/photo\`, ${DOWNLOADS_IN_FLIGHT} at a time; ` +
      `${rounds} round(s) per side, alternating which goes first; MB/s = bytes / wall time (upload: first byte sent to the answer, which comes once every photo is stored); RSS growth = the server's peak during the upload − before it (worst round). ` +
      `Pipeline: as the pipeline case's distributed run (the API process and 2 workers × 2 slots on Redis, files queued behind held slots, then released and timed to the last \`done\`), ` +
      `with one shared DATA_DIR, or on the bucket with a private DATA_DIR per process. With the local generator (the workers' configured provider, what a deployment without FAL runs, behind a gate): ` +
      `${generatorBatches} batch(es) of ${generatorFiles} ${GENERATOR_PHOTO_PX}² product photos at the default face limit, ${generatorRounds} round(s) per side; with the instant bench provider (the service's own work alone): ${batches} batch(es) of 25 small JPEGs, ${rounds} round(s) per side; ` +
      'sides alternate which goes first; throughput = files / time over the rounds, p50 and CPU the rounds\' mean; CPU per file = the API\'s and the workers\' (their generator threads included) over the measured span, and s3rver\'s beside it on S3.',
  };
}

const LIMITS = `
**What limits it: CPU, and on S3 the S3 server shares it.** This machine has two cores, and the pipeline keeps them busy on both sides, so throughput follows CPU per file (the CPU rows). On S3 each file costs three requests instead of three file operations: a worker GETs the photo (the temporary copy the generator reads) and PUTs the model and the preview. Each request costs about 2 ms of the AWS SDK's CPU in the worker (its middleware stack, signing, HTTP) and 2.5–5 ms of s3rver's (a single Node process storing every object as files plus metadata), on the same two cores. **With the local generator** a file costs about 200 ms of CPU, so the requests add under a fifth and the pipeline keeps well over 0.8× of file storage; that is the target row, because it is the distributed pipeline a deployment runs. **With the instant provider** a file costs the service about 7 ms in all on the shared folder, so the same requests triple it: the ratio is bound to about 1/3 on this machine by the request count alone (even a client that cost nothing would leave it under 0.5×, as s3rver's own CPU per file is as much as the whole file-system pipeline's), and it says what S3 costs per file, not how fast a deployment goes. A real S3 runs on other machines: there the requests cost the workers only the SDK's CPU and the network's latency, which more slots (\`WORKER_CONCURRENCY\`, 8 by default with FAL) hide. **Fixed on the way:** lib-storage's \`Upload\` buffered up to 16 MiB of every photo it moved into the bucket, and a batch moves its 25 photos at once: +385 MB of RSS for 25 × 10 MB; \`moveIn\` now sends each 8 MiB part streamed from its byte range of the file (\`S3BlobStorage.putFileInParts\`), which brought it to the figure above. The storage counts cost a HEAD before a write only when the key may already hold a blob (a regeneration, a retry): a new job's photos and a file's first models skip it, which took two of five requests per file off the pipeline.
`;

export const s3StorageCase: BenchCase = {
  name: 's3',
  budgetMs: { quick: 60_000, full: 240_000 },
  run,
  limits: LIMITS,
};
