// What bundlers load in place of node-files.ts (package.json "browser"): no node:fs in a page.
import { Image2ModelError } from './errors.js';

export async function blobFromPath(path: string): Promise<{ blob: Blob; name: string }> {
  throw new Image2ModelError({
    code: 'INVALID_CONFIGURATION',
    status: 0,
    message: `File paths can only be uploaded in Node ("${path}"): pass a File, Blob or bytes`,
    details: { path },
  });
}
