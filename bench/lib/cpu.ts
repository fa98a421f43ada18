import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second for /proc times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, every thread) a process has used so far, in ms, from /proc. Unlike
 * wall-clock throughput it hardly moves when other work shares the machine, so it is the steadier
 * figure to compare ours with a baseline on a busy host (10 ms resolution).
 */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** CPU ms a process spends while `work` runs. */
export async function cpuDuring<T>(pid: number, work: () => Promise<T>): Promise<{ value: T; cpuMs: number }> {
  const before = readCpuMs(pid);
  const value = await work();
  return { value, cpuMs: readCpuMs(pid) - before };
}
