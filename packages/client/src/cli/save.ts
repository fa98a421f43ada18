import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Download } from '../index.js';

/** Hands out file names once per run: `chair.glb`, then `chair-2.glb`, … */
export function createNameAllocator(): (name: string) => string {
  const used = new Set<string>();
  return (name) => {
    const ext = extname(name);
    const stem = name.slice(0, name.length - ext.length);
    let candidate = name;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}${ext}`;
    used.add(candidate.toLowerCase());
    return candidate;
  };
}

/** Streams a download to `dir/name`, through a temporary file, so a failed transfer leaves nothing half-written. */
export async function saveDownload(download: Download, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, name);
  const partial = `${target}.part`;
  try {
    await pipeline(Readable.fromWeb(download.stream as NodeReadableStream<Uint8Array>), createWriteStream(partial));
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return target;
}
