import { readdir, readFile } from 'node:fs/promises';

export interface Sample {
  /** Seconds since the sampler started. */
  t: number;
  rssMb: number;
  fds: number;
  requestsPerSecond: number;
  inFlightJobs: number;
}

/** Resident set size in MB and open file descriptors of a live process, from /proc (Linux). */
async function readProcess(pid: number): Promise<{ rssMb: number; fds: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  const fds = (await readdir(`/proc/${pid}/fd`)).length;
  return { rssMb: Number(kb) / 1024, fds };
}

/**
 * Samples a process once a second, with the load the clients report at that instant. Timing comes
 * from the clock, not the timer count, so a late tick on a loaded machine does not skew the series.
 */
export function startSampler(pid: number, load: () => { answers: number; inFlightJobs: number }, intervalMs = 1000) {
  const samples: Sample[] = [];
  const started = performance.now();
  let last = started;
  let sampling: Promise<void> = Promise.resolve();
  const tick = () => {
    sampling = (async () => {
      const now = performance.now();
      const { answers, inFlightJobs } = load();
      const proc = await readProcess(pid).catch(() => null);
      // A server that died leaves a gap here; its clients' failed jobs are what reports it.
      if (proc) samples.push({ t: (now - started) / 1000, ...proc, requestsPerSecond: answers / ((now - last) / 1000), inFlightJobs });
      last = now;
    })();
  };
  const timer = setInterval(tick, intervalMs);
  return {
    samples,
    async stop(): Promise<Sample[]> {
      clearInterval(timer);
      await sampling;
      return samples;
    },
  };
}
