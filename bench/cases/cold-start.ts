import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { BENCH_KEY, profileArgs } from '../lib/product.js';
import { fmt, fmtRatio, median, nowMs, sleep } from '../lib/stats.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(repo, 'apps/server/dist/main.js');

/** The baseline: the smallest Express server that answers the same readiness path. */
const BARE_EXPRESS = `
const express = require('express');
const app = express();
app.get('/api/v1/health/ready', (req, res) => res.json({ status: 'ready' }));
app.listen(Number(process.env.PORT), '127.0.0.1');
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Spawns a server and polls its readiness every 5 ms; the time from spawn to the first 200. */
async function timeToReady(ctx: CaseContext, args: string[], env: Record<string, string>, port: number): Promise<number> {
  const started = nowMs();
  const child = spawn(process.execPath, args, { cwd: repo, env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  ctx.scope.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}: ${stderr}`);
      if (nowMs() - started > 20_000) throw new Error(`${args.join(' ')} not ready after 20 s: ${stderr}`);
      const status = await fetch(`http://127.0.0.1:${port}/api/v1/health/ready`).then((res) => res.status, () => 0);
      if (status === 200) return nowMs() - started;
      if (status !== 0) throw new Error(`readiness answered ${status}`);
      await sleep(5);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function run(ctx: CaseContext) {
  const rounds = ctx.quick ? 1 : 3;
  const ours: number[] = [];
  const base: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const)) {
      const port = await freePort();
      if (side === 'ours') {
        const dataDir = await mkdtemp(join(ctx.workDir, 'data-'));
        const env = { NODE_ENV: 'production', HOST: '127.0.0.1', DATA_DIR: dataDir, API_KEYS: BENCH_KEY, LOG_LEVEL: 'info' };
        ours.push(await timeToReady(ctx, [...profileArgs(ctx, 'cold-start'), MAIN], env, port));
      } else {
        base.push(await timeToReady(ctx, ['-e', BARE_EXPRESS], {}, port));
      }
      ctx.log(`round ${round + 1} ${side}: ${fmt((side === 'ours' ? ours : base).at(-1) ?? 0)} ms`);
    }
  }
  const o = median(ours);
  const b = median(base);
  const measures: Measure[] = [
    { what: 'start to /health/ready 200 (median)', ours: `${fmt(o)} ms`, baseline: `${fmt(b)} ms`, ratio: fmtRatio(o / b), target: '≤ 1,500 ms', verdict: verdict(o <= 1500) },
  ];
  return {
    line: `cold start: ${fmt(o)} ms to /health/ready vs bare Express ${fmt(b)} ms (${fmtRatio(o / b)}): ${summaryVerdict(measures)}`,
    measures,
    method:
      `\`node apps/server/dist/main.js\` (what \`npm start\` runs after its build) with an empty DATA_DIR and API_KEYS set, polled every 5 ms on \`/api/v1/health/ready\` until 200; ` +
      `baseline: \`node -e\` starting a bare Express app with the same route. ${rounds} round(s) per side, alternating; medians.`,
  };
}

const LIMITS = `
**What limits it now: loading the modules a first answer needs.** The main thread's profile until ready is module loading (\`compileSourceTextModule\`, \`wrapSafe\`, package.json reads and stats) of Express, tRPC, zod, trpc-to-openapi, pino, prom-client and sharp; waiting on disk or on the generator is a small part (the generator pool's thread loads the mesh package and warms up after \`listen\`, on the other core). What embedded mode without FAL never uses is no longer loaded at start: ioredis and everything distributed load only when \`REDIS_URL\` is set, the FAL client only when \`FAL_KEY\` is, archiver on the first ZIP download and swagger-ui-express on the first visit to \`/docs\`. **What would close the rest**: bundling the server into one file (esbuild) to save the per-module resolution and stats, and Node's compile cache (\`module.enableCompileCache\`, Node ≥ 22.1).
`;

export const coldStartCase: BenchCase = {
  name: 'cold-start',
  budgetMs: { quick: 30_000, full: 90_000 },
  run,
  limits: LIMITS,
};
