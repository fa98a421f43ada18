/**
 * `npm run bench [-- --quick] [--only=a,b] [--verbose] [--cpu-prof]`: runs every case (each in a
 * bounded time, with its baseline interleaved), prints one line per case and writes the report.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase, CaseContext, CaseResult } from './lib/case.js';
import { comparisonsOf, renderReport, type CaseOutcome } from './lib/report.js';
import { Scope } from './lib/scope.js';
import { nowMs } from './lib/stats.js';
import { coldStartCase } from './cases/cold-start.js';
import { formatsCase } from './cases/formats.js';
import { generatorCase } from './cases/generator.js';
import { generatorMultiviewCase } from './cases/generator-multiview.js';
import { jobsListCase } from './cases/jobs-list.js';
import { pipelineCase } from './cases/pipeline.js';
import { s3StorageCase } from './cases/s3-storage.js';
import { webhooksCase } from './cases/webhooks.js';
import { sseFanoutCase } from './cases/sse-fanout.js';
import { statusCase } from './cases/status.js';
import { uploadCase } from './cases/upload.js';
import { zipCase } from './cases/zip.js';

const CASES: BenchCase[] = [statusCase, sseFanoutCase, uploadCase, pipelineCase, s3StorageCase, webhooksCase, generatorCase, generatorMultiviewCase, zipCase, formatsCase, coldStartCase, jobsListCase];
const SUITE_LIMIT_MS = 10 * 60_000;

const repo = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const verbose = args.includes('--verbose');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const unknown = args.filter((a) => !['--quick', '--verbose', '--cpu-prof'].includes(a) && !a.startsWith('--only='));
if (unknown.length > 0) throw new Error(`unknown arguments: ${unknown.join(' ')}`);
const selected = only ? CASES.filter((c) => only.includes(c.name)) : CASES;
if (only && selected.length !== only.length) throw new Error(`unknown case in --only; the cases are ${CASES.map((c) => c.name).join(', ')}`);
if (!existsSync(join(repo, 'apps/server/dist/index.js'))) throw new Error('apps/server/dist is missing: run `npm run build` first');

const cpuProfDir = args.includes('--cpu-prof') ? join(repo, 'bench/profiles') : null;
if (cpuProfDir) await mkdir(cpuProfDir, { recursive: true });

function withinBudget<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} ran over its ${ms / 1000} s budget`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const startedAt = new Date();
const loadBefore = loadavg();
const suiteStart = nowMs();
const tmpRoot = await mkdtemp(join(tmpdir(), 'i2m-bench-'));
const outcomes: CaseOutcome[] = [];
try {
  for (const bench of selected) {
    const scope = new Scope();
    const workDir = await mkdtemp(join(tmpRoot, `${bench.name}-`));
    const ctx: CaseContext = {
      quick,
      scope,
      workDir,
      cpuProfDir,
      log: (message) => {
        if (verbose) process.stderr.write(`  [${bench.name}] ${message}\n`);
      },
    };
    const started = nowMs();
    let result: CaseResult | null = null;
    let error: string | null = null;
    try {
      const left = SUITE_LIMIT_MS - (nowMs() - suiteStart);
      result = await withinBudget(bench.run(ctx), Math.min(quick ? bench.budgetMs.quick : bench.budgetMs.full, left), bench.name);
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    } finally {
      await scope.dispose();
      await rm(workDir, { recursive: true, force: true });
    }
    const seconds = (nowMs() - started) / 1000;
    outcomes.push({ bench, result, error, seconds });
    process.stdout.write(result ? `${result.line}  [${seconds.toFixed(1)} s]\n` : `${bench.name}: FAILED: ${error}\n`);
  }
} finally {
  await rm(tmpRoot, { recursive: true, force: true });
}

const totalSeconds = (nowMs() - suiteStart) / 1000;
const previous = await readFile(join(repo, 'BENCHMARKS.md'), 'utf8').catch(() => null);
const comparisons = comparisonsOf(previous);
const report = renderReport({ outcomes, quick, startedAt, loadBefore, totalSeconds, comparisons });
const out = quick || only ? join(repo, 'bench/dist/BENCHMARKS.partial.md') : join(repo, 'BENCHMARKS.md');
await writeFile(out, report);
const failed = outcomes.filter((o) => o.result === null).length;
process.stdout.write(`bench: ${outcomes.length - failed} of ${outcomes.length} cases ran in ${totalSeconds.toFixed(1)} s; report in ${out.slice(repo.length)}\n`);
process.exit(failed > 0 ? 1 : 0);
