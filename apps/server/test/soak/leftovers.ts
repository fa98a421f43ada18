import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file (not folder) under `root`, as paths relative to it; none when `root` does not exist. */
export async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => !entry.isDirectory()).map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1));
}
