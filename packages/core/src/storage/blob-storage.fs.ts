import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, copyFile, lstat, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isNotFound, isTempName, openCreatingDir, syncDirectory, tempPathFor, writeSynced } from '../adapters/fs/atomic-file.js';
import { AppError } from '../errors.js';
import type { BlobStorage, LocalFile, StoredBlob } from './blob-storage.js';
import { assertSafeKey } from './storage-key.js';
import { sweepFiles } from './sweep-files.js';

/** Readiness probe files, written in the root and removed at once. */
const PROBE_PREFIX = '.probe-';

export interface FsBlobStorageOptions {
  /** The data directory; every key resolves inside it. */
  root: string;
}

/**
 * BlobStorage on the local disk. Keys are relative, `/`-separated paths (`jobs/<job_id>/uploads/file_001.png`);
 * a key that could leave the root (`..`, absolute, NUL, backslash, empty segment) is refused.
 *
 * @example
 * const storage = new FsBlobStorage({ root: '/var/lib/image2model' });
 * await storage.write('jobs/batch_…/models/file_001.glb', glb);
 */
export class FsBlobStorage implements BlobStorage {
  readonly root: string;

  constructor(opts: FsBlobStorageOptions) {
    this.root = path.resolve(opts.root);
  }

  /** The absolute path of a key; throws VALIDATION_ERROR for a key that could escape the root. */
  resolveKey(key: string): string {
    assertSafeKey(key);
    const resolved = path.resolve(this.root, key);
    // Belt and braces for what assertSafeKey cannot see (a Windows drive letter, say).
    if (path.isAbsolute(key) || !resolved.startsWith(this.root + path.sep)) throw new AppError('VALIDATION_ERROR', 'Invalid storage key');
    return resolved;
  }

  /** The file itself: nothing to copy or release (a missing one rejects with ENOENT, as a bucket's does). */
  async localFile(key: string): Promise<LocalFile> {
    const file = this.resolveKey(key);
    await access(file);
    return { path: file, release: async () => undefined };
  }

  async write(key: string, data: Buffer | Readable): Promise<{ size: number }> {
    const target = this.resolveKey(key);
    const temp = tempPathFor(target);
    try {
      let size: number;
      if (Buffer.isBuffer(data)) {
        await writeSynced(temp, data);
        size = data.length;
      } else {
        // A stream cannot be replayed after a failed open, so its directory is made up front.
        await mkdir(path.dirname(target), { recursive: true });
        await pipeline(data, createWriteStream(temp, { mode: 0o600 }));
        size = (await stat(temp)).size;
      }
      await rename(temp, target);
      return { size };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async writeUnsynced(key: string, data: Buffer): Promise<{ size: number; synced: Promise<void> }> {
    const target = this.resolveKey(key);
    const temp = tempPathFor(target);
    const handle = await openCreatingDir(temp, 'w');
    try {
      await handle.writeFile(data);
      await rename(temp, target); // the open handle follows the file to its new name
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    const synced = handle.sync().finally(() => handle.close());
    synced.catch(() => undefined); // what a failed sync means is the caller's to decide, when it awaits
    return { size: data.length, synced };
  }

  async moveIn(key: string, sourcePath: string): Promise<void> {
    const target = this.resolveKey(key);
    const dir = path.dirname(target);
    const created = await mkdir(dir, { recursive: true });
    // Private like every file we write, and on stable storage before its name is.
    const source = await open(sourcePath, 'r');
    try {
      await source.chmod(0o600);
      await source.sync();
    } finally {
      await source.close();
    }
    try {
      await rename(sourcePath, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      // Another file system: copy beside the target, then rename, so the key is never half-written.
      const temp = tempPathFor(target);
      try {
        await copyFile(sourcePath, temp);
        const copy = await open(temp, 'r');
        try {
          await copy.chmod(0o600);
          await copy.sync();
        } finally {
          await copy.close();
        }
        await rename(temp, target);
      } catch (copyError) {
        await rm(temp, { force: true });
        throw copyError;
      }
      await rm(sourcePath, { force: true });
    }
    // The new name, and every directory mkdir made for it, durable before the caller commits a
    // record naming the file (a crash must not leave a job whose photo vanished).
    await syncDirectory(dir);
    for (let made = dir; created !== undefined && made !== path.dirname(created); made = path.dirname(made)) {
      await syncDirectory(path.dirname(made));
    }
  }

  async read(key: string): Promise<Buffer> {
    return readFile(this.resolveKey(key));
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const info = await stat(this.resolveKey(key));
      return info.isFile() ? { size: info.size } : null;
    } catch (error) {
      if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw error;
    }
  }

  createReadStream(key: string): Readable {
    return createReadStream(this.resolveKey(key));
  }

  /** Deletes the key itself, or the directory `prefix/` and everything below it. */
  async deletePrefix(prefix: string): Promise<{ files: number; bytes: number }> {
    const target = this.resolveKey(prefix.replace(/\/+$/, ''));
    const freed = await measure(target);
    await rm(target, { recursive: true, force: true });
    return freed;
  }

  /** Regular files under the directory `prefix/`, symlinks not followed, unfinished writes left out. */
  async *list(prefix: string): AsyncIterable<StoredBlob> {
    const top = this.resolveKey(prefix.replace(/\/+$/, ''));
    const dirs = [top];
    for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
        throw error;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) dirs.push(full);
        else if (entry.isFile() && !isTempName(entry.name)) {
          const size = await lstat(full).then((info) => info.size, () => null);
          if (size !== null) yield { key: path.relative(this.root, full).split(path.sep).join('/'), size };
        }
      }
    }
  }

  async checkWritable(): Promise<boolean> {
    const key = `${PROBE_PREFIX}${randomBytes(6).toString('hex')}`;
    const probe = randomBytes(16);
    try {
      await this.write(key, probe);
      const back = await this.read(key);
      return back.equals(probe);
    } catch {
      return false;
    } finally {
      await rm(path.join(this.root, key), { force: true }).catch(() => undefined);
    }
  }
}

/**
 * Removes what interrupted writes (`tempPathFor` names) and readiness probes left anywhere under
 * the data directory, last modified before `before`: at start, nothing of ours is in flight.
 */
export function sweepLeftovers(root: string, before: number): Promise<{ files: number; bytes: number }> {
  return sweepFiles(root, { before, recursive: true, matches: isLeftoverName });
}

/** A temp file of an atomic write, or a readiness probe (and the temp file of its write). */
function isLeftoverName(name: string): boolean {
  return isTempName(name) || (name.startsWith(PROBE_PREFIX) && /^[0-9a-f]{12}$/.test(name.slice(PROBE_PREFIX.length)));
}

/** Counts regular files and their bytes under a path, without following symlinks. */
async function measure(target: string): Promise<{ files: number; bytes: number }> {
  let info;
  try {
    info = await lstat(target);
  } catch (error) {
    if (isNotFound(error)) return { files: 0, bytes: 0 };
    throw error;
  }
  if (!info.isDirectory()) return { files: 1, bytes: info.isFile() ? info.size : 0 };
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(target)) {
    const sub = await measure(path.join(target, entry));
    files += sub.files;
    bytes += sub.bytes;
  }
  return { files, bytes };
}
