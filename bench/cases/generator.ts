import sharp from 'sharp';
import { generateModel } from '@image2model/mesh';
import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { productPhoto } from '../lib/images.js';
import { fmt, fmtRatio, median, nowMs } from '../lib/stats.js';

interface Config {
  size: number;
  faces: number;
  background: 'plain' | 'busy';
}

/** Targets for 1024² at 10k faces, warm: the flood's fast path for a plain background, GrabCut for a busy one. */
const TARGET_MS = { plain: 400, busy: 600 };

/** Wall-clock and CPU time (this process, every thread: sharp decodes on libvips threads) of one run. */
async function time(work: () => Promise<unknown>): Promise<{ ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = nowMs();
  await work();
  const used = process.cpuUsage(cpu);
  return { ms: nowMs() - started, cpuMs: (used.user + used.system) / 1000 };
}

async function run(ctx: CaseContext) {
  const sizes = ctx.quick ? [512] : [512, 1024, 2048];
  const faceLimits = ctx.quick ? [10_000] : [10_000, 100_000];
  const reps = ctx.quick ? 1 : 3;
  const configs: Config[] = [
    ...sizes.flatMap((size) => faceLimits.map((faces) => ({ size, faces, background: 'plain' as const }))),
    { size: ctx.quick ? 512 : 1024, faces: 10_000, background: 'busy' },
  ];
  const photos = new Map<string, Buffer>();
  for (const { size, background } of configs) photos.set(`${size} ${background}`, await productPhoto(size, background));

  // Warm-up: the generator compiles WebAssembly (the simplifier, OpenCV for GrabCut) and JITs on first use.
  if (!ctx.quick) for (const background of ['plain', 'busy'] as const) await generateModel(await productPhoto(512, background), { face_limit: 10_000 });
  const measures: Measure[] = [];
  const parts: string[] = [];
  /** Per-stage times (the generator's own stats) of the judged size, to say where the time goes. */
  const stages = new Map<string, number[]>();
  for (const { size, faces, background } of configs) {
    const photo = photos.get(`${size} ${background}`) as Buffer;
    const generate: { ms: number; cpuMs: number }[] = [];
    const decode: { ms: number; cpuMs: number }[] = [];
    for (let rep = 0; rep < reps; rep++) {
      // Interleaved: decode, generate, decode, generate…
      decode.push(await time(() => sharp(photo).raw().toBuffer()));
      generate.push(await time(async () => {
        const { stats } = await generateModel(photo, { face_limit: faces });
        if (stats.triangles > faces) throw new Error(`${stats.triangles} triangles over the limit of ${faces}`);
        if (size === 1024 && faces === 10_000 && background === 'plain') for (const [stage, ms] of Object.entries(stats.timings_ms)) stages.set(stage, [...(stages.get(stage) ?? []), ms]);
      }));
    }
    const ms = median(generate.map((g) => g.ms));
    const cpuMs = median(generate.map((g) => g.cpuMs));
    const decodeMs = median(decode.map((d) => d.ms));
    const label = `${size}² at ${faces / 1000}k faces${background === 'busy' ? ', busy background' : ''}`;
    ctx.log(`${label}: ${fmt(ms)} ms (${fmt(cpuMs)} ms CPU), decode ${fmt(decodeMs, 1)} ms`);
    const judged = size === 1024 && faces === 10_000;
    measures.push({
      what: label,
      ours: `${fmt(ms)} ms (CPU ${fmt(cpuMs)} ms)`,
      baseline: `${fmt(decodeMs, 1)} ms`,
      ratio: fmtRatio(ms / decodeMs),
      target: judged ? `≤ ${TARGET_MS[background]} ms` : '',
      verdict: judged ? verdict(ms <= TARGET_MS[background]) : 'reported',
    });
    parts.push(`${size}²/${faces / 1000}k${background === 'busy' ? ' busy' : ''} ${fmt(ms)} ms, CPU ${fmt(cpuMs)} ms (${fmtRatio(ms / decodeMs)})`);
  }
  const breakdown = [...stages].map(([stage, ms]) => `${stage} ${fmt(median(ms))} ms`).join(', ');
  return {
    line: `generator: ${parts.join(', ')} of sharp decode: ${summaryVerdict(measures)}`,
    measures,
    method:
      `The local generator (\`generateModel\` of @image2model/mesh, default options: 1024 px texture, 256 px preview) in the runner process on a synthetic product photo (JPEG, q90) per size, and at 1024² the same mug on a wood-grain table (seeded fractal noise), which takes the GrabCut path; ` +
      `baseline: sharp decoding the same JPEG to raw pixels. ${reps} interleaved repetition(s) each after one warm-up generation; medians of wall-clock time, with the process's CPU time beside it (on a shared machine wall time includes waiting for a core).` +
      (breakdown ? ` Where 1024² at 10k faces spends it (the generator's own stage timings, medians): ${breakdown}.` : ''),
  };
}

const LIMITS = `
**What limits it.** CPU in the generator itself, single-threaded per photo: the stage timings under "How" show segmentation, inflation (the distance field and height solve), meshing and simplification, and the 256 px preview render taking comparable shares, with decoding small. Wall time on this shared host is well above CPU time (the process waits for a core), so the CPU figure is the one to compare with the 400 ms target. Sizes above 1024² cost little more because the generator works on a raster of at most 1024 px (\`WORKING_MAX_EDGE\`; JPEGs shrink on load); the face limit mostly changes meshing and simplification.

**Proposed fix** (mesh): render the preview lazily (on the first \`/preview\` request) or at a smaller size, which takes its whole stage off every generation; and in production the pool runs generations on worker threads, one per core but one, so throughput scales with cores while a single photo's latency is this figure.
`;

export const generatorCase: BenchCase = {
  name: 'generator',
  budgetMs: { quick: 30_000, full: 100_000 },
  run,
  limits: LIMITS,
};
