import type { SoakResult } from './run-soak.js';

/**
 * What "levels off" means: slopes of a least-squares line through the once-a-second samples of the
 * second half of the load phase, and a ceiling on RSS. A leak worth the name shows well above the
 * full run's bounds (1 KB kept per answer at ~130 answers/s is 8 MB/min; one fd per job is
 * ~500/min); GC sawtooth and the bounded caches filling up stay below. What is left (3–5 MB/min
 * at 5 minutes, 2.6 MB/min over the second half of a 12-minute run, RSS staying within 330–362 MB
 * from minute 3 to 12) fits the embedded job store's in-memory index, which holds every job until
 * the retention cleanup removes it: ~1.5 KB of heap per job measured, ~650 new jobs a minute here.
 */
export interface SoakBounds {
  rssMbPerMin: number;
  fdsPerMin: number;
  rssPeakMb: number;
}

/** The full 5-minute run fits its lines on 150 s of samples. */
export const FULL_RUN_BOUNDS: SoakBounds = { rssMbPerMin: 10, fdsPerMin: 10, rssPeakMb: 600 };

/**
 * The short CI run fits on 25 s, inside the heap's warm-up (RSS climbs 2–3 MB/s to its first major
 * GC, at ~330 MB here, then falls back), so its RSS slope bound only catches a leak of several MB
 * a second; its fd slope and its RSS ceiling are the checks with teeth. The hostile storm's rounds
 * of unread downloads make the fd series a sawtooth (about 40 descriptors held for ~15 s, then
 * freed), which moves a 25 s slope by up to ~55/min either way; the bound of 120/min still fails a
 * leak of one descriptor per job (about 200 jobs a minute here). The full run is the one that
 * shows the series level off.
 */
export const SHORT_RUN_BOUNDS: SoakBounds = { rssMbPerMin: 240, fdsPerMin: 120, rssPeakMb: 600 };

/** Every check of the soak that failed, in words; empty when the run passed. */
export function verdict(result: SoakResult, bounds: SoakBounds): string[] {
  const { tally } = result;
  const failures: string[] = [];
  if (result.unexpectedExit) failures.push(result.unexpectedExit);
  if (tally.serverErrors.length > 0) failures.push(`${tally.serverErrors.length} 5xx answers, first: ${JSON.stringify(tally.serverErrors.slice(0, 3))}`);
  const otherErrors = tally.count((status) => status >= 300 && status < 500);
  if (otherErrors > 0) failures.push(`${otherErrors} 3xx/4xx answers to valid requests: ${JSON.stringify([...tally.statuses])}`);
  if (tally.jobFailures.length > 0) failures.push(`${tally.jobFailures.length} jobs did not complete, first: ${JSON.stringify(tally.jobFailures.slice(0, 3))}`);
  if (tally.jobsCompleted !== tally.jobsStarted) failures.push(`${tally.jobsCompleted} of ${tally.jobsStarted} jobs completed`);
  if (tally.jobsStarted < result.clients) failures.push(`only ${tally.jobsStarted} jobs for ${result.clients} clients`);
  if (tally.uploadsAborted === 0) failures.push('no upload was aborted');
  if (result.leftovers.length > 0) failures.push(`left behind: ${result.leftovers.slice(0, 10).join(', ')}`);
  if (result.rssSlopeMbPerMin > bounds.rssMbPerMin) failures.push(`RSS grew ${result.rssSlopeMbPerMin.toFixed(2)} MB/min over the last half (bound ${bounds.rssMbPerMin})`);
  const peakMb = Math.max(0, ...result.samples.map((sample) => sample.rssMb));
  if (peakMb > bounds.rssPeakMb) failures.push(`RSS peaked at ${peakMb.toFixed(0)} MB (bound ${bounds.rssPeakMb})`);
  if (result.fdSlopePerMin > bounds.fdsPerMin) failures.push(`open fds grew ${result.fdSlopePerMin.toFixed(2)}/min over the last half (bound ${bounds.fdsPerMin})`);
  const { hostile } = result;
  if (hostile) {
    if (hostile.wrong.length > 0) failures.push(`hostile GETs answered wrongly: ${JSON.stringify(hostile.wrong.slice(0, 5))}`);
    if (hostile.streamRounds === 0 || hostile.slowReadersCut === 0) failures.push(`hostile GETs: ${hostile.streamRounds} rounds of 30 downloads, ${hostile.slowReadersCut} unread downloads cut`);
  }
  if (!result.unexpectedExit && result.exitCode !== 0) failures.push(`the server exited ${result.exitCode} on SIGTERM:\n${result.serverOutputTail}`);
  return failures;
}

/** The run's figures, a few phrases: joined with "; " they are the summary line. */
export function summaryParts(result: SoakResult): string[] {
  const { tally, samples } = result;
  const rss = samples.map((s) => s.rssMb);
  const fds = samples.map((s) => s.fds);
  const peakRps = Math.max(0, ...samples.map((s) => s.requestsPerSecond));
  return [
    `${result.clients} clients, ${result.loadSeconds.toFixed(0)} s load + ${(result.totalSeconds - result.loadSeconds).toFixed(0)} s drain`,
    `${tally.jobsCompleted}/${tally.jobsStarted} jobs completed (${tally.filesCompleted} files, ${tally.modelsDownloaded} models downloaded), ${tally.uploadsAborted} uploads aborted mid-body`,
    `${tally.requests} answers (${(tally.requests / result.totalSeconds).toFixed(0)}/s mean, ${peakRps.toFixed(0)}/s peak), ${tally.serverErrors.length} 5xx`,
    `RSS ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MB, slope ${result.rssSlopeMbPerMin.toFixed(2)} MB/min over the last half`,
    `fds ${Math.min(...fds)}–${Math.max(...fds)}, slope ${result.fdSlopePerMin.toFixed(2)}/min over the last half`,
    `${result.leftovers.length} temp files left`,
    ...(result.hostile
      ? [
          `hostile GETs: ${result.hostile.total} answers (random and 15.9 KB paths, tRPC batches), ${result.hostile.streamRounds} rounds of 30 unread downloads on one key, ${result.hostile.slowReadersCut} cut by the server, ${result.hostile.wrong.length} wrong`,
        ]
      : []),
  ];
}

export const summaryLine = (result: SoakResult) => `soak: ${summaryParts(result).join('; ')}`;
