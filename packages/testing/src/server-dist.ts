import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A file of the built server (`apps/server/dist`), found through the package, wherever it is installed. */
export function serverDist(file: string): string {
  const manifest = createRequire(import.meta.url).resolve('@image2model/server/package.json');
  return join(dirname(manifest), 'dist', file);
}
