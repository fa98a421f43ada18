import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

export interface SweepOptions {
  /** Files last modified at or after this instant (ms since the epoch) are kept. */
  before: number;
  /** Which names to consider; every name when absent. */
  matches?: (name: string) => boolean;
}

/**
 * Removes the regular files directly in `dir` (never following links, never recursing) that match
 * and are older than `before`: stray upload temp files, for the cleanup endpoint and at start.
 */
export async function sweepFiles(dir: string, opts: SweepOptions): Promise<{ files: number; bytes: number }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { files: 0, bytes: 0 };
  }
  let files = 0;
  let bytes = 0;
  for (const name of names) {
    if (opts.matches && !opts.matches(name)) continue;
    const file = path.join(dir, name);
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
