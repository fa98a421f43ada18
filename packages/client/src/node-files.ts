// Node only: loaded by upload() with a dynamic import, and only for file paths, so a browser
// bundle never needs node:fs.
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Image2ModelError } from './errors.js';

/** A file on disk as a Blob that reads the file as it is sent (never the whole file in memory). */
export async function blobFromPath(path: string): Promise<{ blob: Blob; name: string }> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (error) {
    throw new Image2ModelError({ code: 'FILE_NOT_FOUND', status: 0, message: `File not found: ${path}`, details: { path }, cause: error });
  }
  if (!isFile) throw new Image2ModelError({ code: 'FILE_NOT_FOUND', status: 0, message: `Not a file: ${path}`, details: { path } });
  return { blob: await openAsBlob(path), name: basename(path) };
}
