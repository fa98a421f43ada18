import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_FORMATS } from '@image2model/core/limits';
import { convertModel, readModel, reportModel, type ConvertedFormat } from '@image2model/formats';
import { generateModel } from '@image2model/mesh';
import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { auth, drain, uploadBatch } from '../lib/http.js';
import { productPhoto, tinyPhoto } from '../lib/images.js';
import { startProduct, waitForJob } from '../lib/product.js';
import { fmt, fmtRatio, median, nowMs } from '../lib/stats.js';

const MB = 1_000_000;
const CONVERTED = MODEL_FORMATS.filter((format): format is ConvertedFormat => format !== 'glb');

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = nowMs();
  await work();
  return nowMs() - started;
}

async function run(ctx: CaseContext) {
  const faceLimits = ctx.quick ? [10_000] : [10_000, 200_000];
  const reps = ctx.quick ? 1 : 3;
  const photo = await productPhoto(ctx.quick ? 512 : 1024);
  const measures: Measure[] = [];
  const parts: string[] = [];
  let largest: Uint8Array = new Uint8Array();
  for (const faces of faceLimits) {
    const { glb, stats } = await generateModel(photo, { face_limit: faces });
    largest = glb;
    // Warm-up: WebAssembly (Draco, meshopt) and the JIT.
    await convertModel(glb, { format: 'stl', name: 'bench' });
    const readMs = median(await Promise.all(Array.from({ length: reps }, () => timed(() => readModel(glb)))));
    measures.push({ what: `read the GLB, ${stats.triangles.toLocaleString('en')} triangles`, ours: `${fmt(readMs, 1)} ms`, baseline: '', ratio: '', target: '', verdict: 'reported' });
    for (const format of CONVERTED) {
      const times: number[] = [];
      for (let rep = 0; rep < reps; rep++) times.push(await timed(() => convertModel(glb, { format, name: 'bench' })));
      const ms = median(times);
      measures.push({ what: `${format.toUpperCase()}, ${stats.triangles.toLocaleString('en')} triangles`, ours: `${fmt(ms)} ms`, baseline: '', ratio: '', target: '', verdict: 'reported' });
      ctx.log(`${format} at ${stats.triangles} triangles: ${fmt(ms)} ms`);
      if (format === 'stl' || format === 'obj') parts.push(`${format.toUpperCase()} ${fmt(ms)} ms at ${fmt(stats.triangles / 1000)}k`);
    }
    const reportTimes: number[] = [];
    for (let rep = 0; rep < reps; rep++) reportTimes.push(await timed(() => reportModel(glb)));
    const reportMs = median(reportTimes);
    measures.push({ what: `print report, ${stats.triangles.toLocaleString('en')} triangles`, ours: `${fmt(reportMs)} ms`, baseline: '', ratio: '', target: '', verdict: 'reported' });
    ctx.log(`report at ${stats.triangles} triangles: ${fmt(reportMs)} ms`);
    parts.push(`report ${fmt(reportMs)} ms at ${fmt(stats.triangles / 1000)}k`);
  }

  // Download throughput: the stored default-size STL against the GLB it came from, in the same server and run.
  const server = await startProduct(ctx);
  const job = await uploadBatch(server.api, server.key, [{ name: 'model.jpg', data: await tinyPhoto(), type: 'image/jpeg' }]);
  await waitForJob(server, job.job_id);
  // The bench provider writes random bytes: the model becomes a real one, the largest generated above.
  await writeFile(join(server.dataDir, 'jobs', job.job_id, 'models', 'file_001.glb'), largest);
  const glbUrl = `${server.api}/download/${job.job_id}/file_001/model`;
  const stlUrl = `${glbUrl}?format=stl`;
  const firstMs = await timed(() => drain(stlUrl, auth(server.key))); // converts and stores
  const totals = { glb: { bytes: 0, ms: 0 }, stl: { bytes: 0, ms: 0 } };
  const rounds = ctx.quick ? 2 : 20;
  await drain(glbUrl, auth(server.key));
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? (['glb', 'stl'] as const) : (['stl', 'glb'] as const)) {
      const started = nowMs();
      totals[side].bytes += await drain(side === 'glb' ? glbUrl : stlUrl, auth(server.key));
      totals[side].ms += nowMs() - started;
    }
  }
  const glbMbps = totals.glb.bytes / MB / (totals.glb.ms / 1000);
  const stlMbps = totals.stl.bytes / MB / (totals.stl.ms / 1000);
  measures.push(
    { what: 'first STL download (convert + store)', ours: `${fmt(firstMs)} ms`, baseline: '', ratio: '', target: '', verdict: 'reported' },
    { what: 'stored STL download vs the GLB, MB/s', ours: fmt(stlMbps), baseline: fmt(glbMbps), ratio: fmtRatio(stlMbps / glbMbps), target: '≥ 0.7×', verdict: verdict(stlMbps / glbMbps >= 0.7) },
  );
  return {
    line: `formats: ${parts.join(', ')}; stored STL ${fmt(stlMbps)} MB/s vs GLB ${fmt(glbMbps)} MB/s (${fmtRatio(stlMbps / glbMbps)}): ${summaryVerdict(measures)}`,
    measures,
    method:
      `convertModel (in the runner, one thread) of local-generator models at ${faceLimits.map((f) => `${f / 1000}k`).join(' and ')} faces (a ${ctx.quick ? 512 : 1024}² product photo), median of ${reps}, after one warm-up conversion; "read the GLB" is readModel alone, the part every format shares; "print report" is reportModel (read, weld, edge counts, self-intersections with three-mesh-bvh, manifold-3d's volume and genus). ` +
      `Downloads: one product server, its model replaced by the largest of those GLBs; the first \`?format=stl\` converts and stores, then ${rounds} alternating rounds of the stored STL and the GLB, read by the runner over loopback.`,
  };
}

const LIMITS = `
**What limits it.** Each conversion reads the GLB with glTF-Transform (the part every format shares), welds by position for STL and 3MF (a hash of grid cells, 27 lookups per vertex), and writes: binary STL and PLY are typed-array writes; 3MF, OBJ and USDA build text (formatting over a million numbers and joining the lines dominates: about 2 s of a 200k OBJ on this host) and 3MF and OBJ deflate it (zlib level 3, native). Conversions run on worker threads and are stored, so this is paid once per file and format, off the event loop. A stored conversion is a file read like the GLB's own download, so its throughput follows the GLB's; a larger file (STL has no index buffer) just takes longer. The print report adds to the read and the weld a self-intersection search (three-mesh-bvh cast against itself: each triangle is paired only with those in overlapping leaves, then their boxes, then the exact test) and manifold-3d's import of the mesh (which builds its half-edge structure); it too runs on the worker threads and is stored at the default size.
`;

export const formatsCase: BenchCase = {
  name: 'formats',
  budgetMs: { quick: 60_000, full: 240_000 },
  run,
  limits: LIMITS,
};
