import type { Scope } from './scope.js';

export interface CaseContext {
  /** Smoke mode: small sizes, one round; proves the case runs, not its figures. */
  quick: boolean;
  scope: Scope;
  /** A directory for this case's data (removed afterwards). */
  workDir: string;
  /** Where server processes write `--cpu-prof` profiles, when profiling was asked for. */
  cpuProfDir: string | null;
  /** Progress for humans, on stderr, with --verbose. */
  log(message: string): void;
}

export type Verdict = 'met' | 'missed' | 'reported' | 'pending';

/** One row of the results table. */
export interface Measure {
  what: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
  verdict: Verdict;
}

export interface CaseResult {
  /** The case's one line on stdout. */
  line: string;
  measures: Measure[];
  /** How it was measured this run (sizes, rounds), for BENCHMARKS.md. */
  method: string;
}

export interface BenchCase {
  name: string;
  /** Hard time limits; past them the case fails and its processes are stopped. */
  budgetMs: { quick: number; full: number };
  run(ctx: CaseContext): Promise<CaseResult>;
  /** What limits the figure now (from profiles), for BENCHMARKS.md. */
  limits: string;
}

export function verdict(met: boolean): Verdict {
  return met ? 'met' : 'missed';
}

/** The word in a case's line: MET when every target is met. */
export function summaryVerdict(measures: readonly Measure[]): string {
  const judged = measures.filter((m) => m.verdict === 'met' || m.verdict === 'missed');
  if (judged.length === 0) return 'reported';
  return judged.every((m) => m.verdict === 'met') ? 'targets met' : `MISSED ${judged.filter((m) => m.verdict === 'missed').length}/${judged.length}`;
}
