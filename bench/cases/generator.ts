import sharp from 'sharp';
import { generateModel } from '@image2model/mesh';
import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { productPhoto } from '../lib/images.js';
import { fmt, fmtRatio, median, nowMs } from '../lib/stats.js';

interface Config {
  size: number;
  faces: number;
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const started = nowMs();
  await work();
  return nowMs() - started;
}

async function run(ctx: CaseContext) {
  const sizes = ctx.quick ? [512] : [512, 1024, 2048];
  const faceLimits = ctx.quick ? [10_000] : [10_000, 100_000];
  const reps = ctx.quick ? 1 : 3;
  const configs: Config[] = sizes.flatMap((size) => faceLimits.map((faces) => ({ size, faces })));
  const photos = new Map<number, Buffer>();
  for (const size of sizes) photos.set(size, await productPhoto(size));

  // Warm-up: the generator compiles WebAssembly (the simplifier) and JITs on first use.
  if (!ctx.quick) await generateModel(await productPhoto(512), { face_limit: 10_000 });
  const measures: Measure[] = [];
  const parts: string[] = [];
  for (const { size, faces } of configs) {
    const photo = photos.get(size) as Buffer;
    const generate: number[] = [];
    const decode: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      // Interleaved: decode, generate, decode, generate…
      decode.push(await time(() => sharp(photo).raw().toBuffer()));
      generate.push(await time(async () => {
        const { stats } = await generateModel(photo, { face_limit: faces });
        if (stats.triangles > faces) throw new Error(`${stats.triangles} triangles over the limit of ${faces}`);
      }));
    }
    const ms = median(generate);
    const decodeMs = median(decode);
    const label = `${size}² at ${faces / 1000}k faces`;
    ctx.log(`${label}: ${fmt(ms)} ms, decode ${fmt(decodeMs, 1)} ms`);
    const judged = size === 1024 && faces === 10_000;
    measures.push({
      what: label,
      ours: `${fmt(ms)} ms`,
      baseline: `${fmt(decodeMs, 1)} ms`,
      ratio: fmtRatio(ms / decodeMs),
      target: judged ? '≤ 400 ms' : '',
      verdict: judged ? verdict(ms <= 400) : 'reported',
    });
    parts.push(`${size}²/${faces / 1000}k ${fmt(ms)} ms (${fmtRatio(ms / decodeMs)})`);
  }
  return {
    line: `generator: ${parts.join(', ')} of sharp decode: ${summaryVerdict(measures)}`,
    measures,
    method:
      `The local generator (\`generateModel\` of @image2model/mesh, default options: 1024 px texture, 256 px preview) in the runner process on a synthetic product photo (JPEG, q90) per size; ` +
      `baseline: sharp decoding the same JPEG to raw pixels. ${reps} interleaved repetition(s) each after one warm-up generation; medians.`,
  };
}

export const generatorCase: BenchCase = {
  name: 'generator',
  budgetMs: { quick: 30_000, full: 100_000 },
  run,
  limits: '',
};
