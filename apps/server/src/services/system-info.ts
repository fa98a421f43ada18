import { statfs } from 'node:fs/promises';
import os from 'node:os';
import type { SystemInfo } from '@image2model/api';
import type { JobService, StorageUsageCounter } from '@image2model/core';
import type { StorageBackend } from '../process/blob-storage.js';

const MB = 1024 * 1024;
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const percent = (part: number, whole: number) => (whole > 0 ? round((part / whole) * 100, 1) : 0);

/**
 * The real machine: memory, and the disk that holds DATA_DIR, in MB; job counts from the store;
 * what the storage holds, from the counts kept as blobs come and go.
 */
export async function readSystemInfo(dataDir: string, jobs: JobService, storage: { backend: StorageBackend; usage: StorageUsageCounter }): Promise<SystemInfo> {
  const [disk, counts, usage] = await Promise.all([statfs(dataDir), jobs.counts(), storage.usage.read()]);
  const memTotal = os.totalmem();
  const memAvailable = os.freemem();
  const diskTotal = disk.blocks * disk.bsize;
  const diskFree = disk.bavail * disk.bsize;
  const diskUsed = diskTotal - disk.bfree * disk.bsize;
  return {
    system: {
      platform: process.platform,
      cpu_count: os.availableParallelism(),
      memory: { total: round(memTotal / MB), available: round(memAvailable / MB), percent: percent(memTotal - memAvailable, memTotal) },
      disk: { total: round(diskTotal / MB), used: round(diskUsed / MB), free: round(diskFree / MB), percent: percent(diskUsed, diskTotal) },
    },
    jobs: counts,
    storage: { backend: storage.backend, objects: usage.objects, bytes: usage.bytes },
  };
}
