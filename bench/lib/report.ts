import { cpus, release, totalmem, type as osType } from 'node:os';
import type { BenchCase, CaseResult } from './case.js';

export interface CaseOutcome {
  bench: BenchCase;
  result: CaseResult | null;
  error: string | null;
  seconds: number;
}

export function describeMachine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu.length} × ${model}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${osType()} ${release()}, Node ${process.version}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The heading of BENCHMARKS.md's hand-written section, which every run carries over unchanged. */
export const COMPARISONS_HEADING = '## Comparisons across versions';

/**
 * The hand-written comparisons of an earlier BENCHMARKS.md (its heading up to the next `## `), or
 * null. Runs of two versions side by side are written by hand: one run measures one checkout.
 */
export function comparisonsOf(previous: string | null): string | null {
  if (previous === null) return null;
  const start = previous.indexOf(`\n${COMPARISONS_HEADING}\n`);
  if (start < 0) return null;
  const end = previous.indexOf('\n## ', start + 1);
  return previous.slice(start + 1, end < 0 ? undefined : end + 1).trimEnd();
}

/**
 * BENCHMARKS.md: the table of every measure, then per case how it was measured and what limits it,
 * then the comparisons carried over from the previous report.
 */
export function renderReport(opts: {
  outcomes: CaseOutcome[];
  quick: boolean;
  startedAt: Date;
  loadBefore: number[];
  totalSeconds: number;
  comparisons: string | null;
}): string {
  const lines: string[] = [];
  lines.push('# Benchmarks', '');
  lines.push(
    `Written by \`npm run bench${opts.quick ? ' -- --quick' : ''}\` on ${opts.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` +
      ` in ${Math.round(opts.totalSeconds)} s${opts.quick ? ' (quick smoke mode: small sizes, figures not meaningful)' : ''}.`,
    '',
    `Machine: ${describeMachine()}. Load average before the run: ${opts.loadBefore.map((l) => l.toFixed(2)).join(', ')}.`,
    'The machine is shared with other work while the suite runs, so absolute figures are noisy: every case',
    'measures its baseline in the same run, interleaved with ours, and the ratio is the figure to read. Even so,',
    'wall-clock ratios can move by half from one run to the next on this host; the CPU-per-unit rows move least.',
    'Loopback only; rate limits are raised for the run and any answer that is not 2xx fails the case.',
    '',
    '| case | measure | ours | baseline | ratio | target | |',
    '|---|---|---|---|---|---|---|',
  );
  const mark = { met: '✅ met', missed: '❌ missed', reported: 'reported', pending: '⏳ pending' } as const;
  for (const { bench, result, error } of opts.outcomes) {
    if (!result) {
      lines.push(`| ${bench.name} | — | failed: ${cell(error ?? 'unknown error').slice(0, 200)} | | | | ❌ |`);
      continue;
    }
    for (const m of result.measures) {
      lines.push(`| ${bench.name} | ${cell(m.what)} | ${cell(m.ours)} | ${cell(m.baseline)} | ${cell(m.ratio)} | ${cell(m.target)} | ${mark[m.verdict]} |`);
    }
  }
  lines.push('');
  for (const { bench, result, error, seconds } of opts.outcomes) {
    lines.push(`## ${bench.name}`, '');
    lines.push(result ? `\`${result.line}\`` : `Failed: \`${error ?? 'unknown error'}\``, '');
    if (result) lines.push(`How (${Math.round(seconds)} s this run): ${result.method}`, '');
    if (bench.limits) lines.push(bench.limits.trim(), '');
  }
  if (opts.comparisons !== null) lines.push(opts.comparisons, '');
  lines.push(
    '## Running it',
    '',
    '```bash',
    'npm run bench                 # the full suite (under 10 minutes), rewrites BENCHMARKS.md',
    'npm run bench -- --quick      # smoke mode for CI (under 60 s); it and --only write bench/dist/BENCHMARKS.partial.md',
    'npm run bench -- --only=status,zip --verbose',
    'npm run bench -- --only=status --cpu-prof   # server processes write .cpuprofile files to bench/profiles/',
    'node bench/dist/tools/profile-summary.js bench/profiles/<file>.cpuprofile',
    '```',
    '',
  );
  return lines.join('\n');
}
