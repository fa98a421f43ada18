import { readFileSync, writeFileSync } from 'node:fs';

const MB = 1024 * 1024;

/** Resident set size of a process, from /proc (Linux), in bytes. */
export function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

function readPeak(pid: number): number | null {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/** Resets the kernel's peak-RSS mark (VmHWM); false where that is not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface RssGrowth {
  beforeMb: number;
  peakMb: number;
  growthMb: number;
}

/**
 * Watches one process's RSS from now: the baseline is the RSS at start, the peak is the kernel's
 * high-water mark since then (reset at start) or, where that cannot be reset, the highest of
 * samples taken every `intervalMs`.
 */
export function watchRss(pid: number, intervalMs = 20): { now(): number; stop(): RssGrowth } {
  const before = readRss(pid);
  const canReset = resetPeak(pid);
  let peak = before;
  const sample = (): void => {
    try {
      peak = Math.max(peak, readRss(pid));
    } catch {
      // the process ended: keep what was seen
    }
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    /** Growth so far (current RSS − the baseline), in MB. */
    now() {
      sample();
      return (readRss(pid) - before) / MB;
    },
    stop() {
      clearInterval(timer);
      sample();
      const hwm = canReset ? readPeak(pid) : null;
      if (hwm !== null) peak = Math.max(peak, hwm);
      return { beforeMb: before / MB, peakMb: peak / MB, growthMb: (peak - before) / MB };
    },
  };
}
