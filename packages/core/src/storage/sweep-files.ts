import type { Dirent } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

export interface SweepOptions {
  /** Files last modified at or after this instant (ms since the epoch) are kept. */
  before: number;
  /** Which names to consider; every name when absent. */
  matches?: (name: string) => boolean;
  /** Also sweeps every subdirectory (never following links). @default false */
  recursive?: boolean;
}

/**
 * Removes the regular files in `dir` (never following links; in subdirectories too when
 * `recursive`) that match and are older than `before`: stray upload temp files, for the cleanup
 * endpoint and at start, and what interrupted writes and probes left in the data directory.
 */
export async function sweepFiles(dir: string, opts: SweepOptions): Promise<{ files: number; bytes: number }> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return { files: 0, bytes: 0 };
  }
  let files = 0;
  let bytes = 0;
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    // A directory entry's own type: a link is never followed.
    if (opts.recursive && entry.isDirectory()) {
      const below = await sweepFiles(file, opts);
      files += below.files;
      bytes += below.bytes;
      continue;
    }
    if (opts.matches && !opts.matches(entry.name)) continue;
    try {
      const info = await lstat(file);
      if (!info.isFile() || info.mtimeMs >= opts.before) continue;
      await rm(file, { force: true });
      files += 1;
      bytes += info.size;
    } catch {
      // gone meanwhile (an upload finished): nothing to do
    }
  }
  return { files, bytes };
}
