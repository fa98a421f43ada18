import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Download } from '../index.js';

/** Names Windows reserves for devices, with any extension (`con.glb` is the console there). */
const RESERVED_STEM = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
/** Characters no file system of Windows, macOS or Linux takes in a name, and control characters. */
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const UNSAFE_CHARS = /[\u0000-\u001f\u007f<>:"/\\|?*]/g;
/** Room for `-99` and the extension within a file system's 255-byte limit. */
const MAX_STEM_BYTES = 200;

function cutToBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char, 'utf8');
    if (bytes > maxBytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * The local name of a download, made here from the uploaded file's name (never taken from the
 * server): its stem plus `extension`, safe on every OS — no path, no leading dot (a hidden file),
 * no trailing dot or space, no reserved device name like CON or NUL — or `fallback` plus `extension`.
 */
export function localFileName(original: string, fallback: string, extension: string): string {
  const base = original.split(/[\\/]/).pop() ?? '';
  const stem = base.slice(0, base.length - extname(base).length);
  let safe = cutToBytes(stem.normalize('NFC').replace(UNSAFE_CHARS, '_').replace(/^[.\s]+/, ''), MAX_STEM_BYTES).replace(/[.\s]+$/, '');
  if (safe === '') safe = fallback;
  if (RESERVED_STEM.test(safe.split('.')[0] ?? '')) safe = `${safe}_`;
  return `${safe}${extension}`;
}

/** `name.glb`, `name-2.glb`, `name-3.glb`… */
function candidates(name: string): Iterable<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  return {
    *[Symbol.iterator]() {
      yield name;
      for (let n = 2; ; n++) yield `${stem}-${n}${ext}`;
    },
  };
}

/**
 * Claims the first free name of `name`, `name-2`, … in `dir` by creating it exclusively (`wx`): two
 * downloads, or another program, can never be handed the same file; `force` takes `name` as it is.
 */
async function claim(dir: string, name: string, force: boolean): Promise<string> {
  if (force) return join(dir, name);
  for (const candidate of candidates(name)) {
    const path = join(dir, candidate);
    try {
      await (await open(path, 'wx')).close();
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error('unreachable');
}

/**
 * Streams a download to a new file in `dir` named `name` (or `name-2`, … when taken: an existing
 * file is never overwritten unless `force`), through a temporary file, so a failed transfer leaves
 * nothing half-written. Returns the path.
 */
export async function saveDownload(download: Download, dir: string, name: string, opts: { force?: boolean } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = await claim(dir, name, opts.force === true);
  const partial = join(dir, `.${name}.${randomBytes(4).toString('hex')}.part`);
  try {
    await pipeline(Readable.fromWeb(download.stream as NodeReadableStream<Uint8Array>), createWriteStream(partial));
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    if (opts.force !== true) await rm(target, { force: true });
    throw error;
  }
  return target;
}

/** Runs at most `limit` of the tasks given to it at once (the CLI's downloads: a few at a time). */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      // A finished task hands its slot straight to the next one waiting.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
