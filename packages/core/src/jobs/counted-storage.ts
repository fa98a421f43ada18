import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Logger } from '../logger.js';
import type { BlobStorage, LocalFile, PresignGetOptions, StoredBlob, WriteOptions } from '../storage/blob-storage.js';
import type { StorageUsage, StorageUsageCounter } from '../storage/storage-usage.js';
import { storageKeys } from './storage-keys.js';

/** A job's blob: `jobs/<job_id>/{uploads,models,previews}/…`, what the counts cover. */
const COUNTED_KEY = /^jobs\/[^/]+\/(?:uploads|models|previews)\/./;
/** A job's folder as a whole (`jobs/<job_id>`): its counted folders are deleted one by one. */
const JOB_FOLDER = /^jobs\/([^/]+)\/?$/;

function isCounted(key: string): boolean {
  return COUNTED_KEY.test(key);
}

/**
 * BlobStorage that keeps `counter` in step with the blobs jobs own: a write or moveIn adds its
 * object (or only its size change, when it replaces one: the key is looked up first, unless the
 * caller says it is fresh) and
 * deletePrefix, the one deletion path, takes off what it freed. Everything else (start-up probes,
 * the shared-storage marker, an embedded job's record files) is not counted.
 *
 * Two processes writing one key at once may count it twice, and a process killed between a write
 * and its count (or a file's first attempt that a killed worker left half-stored and another
 * worker wrote again as fresh) leaves the counts off by that blob: `reconcileStorageUsage` at
 * start sets them right.
 */
export class CountedBlobStorage implements BlobStorage {
  readonly presignGet?: (key: string, opts: PresignGetOptions) => Promise<string>;

  constructor(
    private readonly inner: BlobStorage,
    private readonly counter: StorageUsageCounter,
  ) {
    if (inner.presignGet) this.presignGet = inner.presignGet.bind(inner);
  }

  /** The blob a write replaces: looked up (one HEAD on a bucket) unless the caller knows the key is fresh. */
  private async replacing(key: string, opts: WriteOptions | undefined): Promise<{ size: number } | null> {
    return isCounted(key) && opts?.fresh !== true ? this.inner.stat(key) : null;
  }

  private async count(key: string, before: { size: number } | null, size: number): Promise<void> {
    if (isCounted(key)) await this.counter.add({ objects: before ? 0 : 1, bytes: size - (before?.size ?? 0) });
  }

  async write(key: string, data: Buffer | Readable): Promise<{ size: number }> {
    const before = await this.replacing(key, undefined);
    const written = await this.inner.write(key, data);
    await this.count(key, before, written.size);
    return written;
  }

  async writeUnsynced(key: string, data: Buffer, opts?: WriteOptions): Promise<{ size: number; synced: Promise<void> }> {
    const before = await this.replacing(key, opts);
    const written = await this.inner.writeUnsynced(key, data, opts);
    await this.count(key, before, written.size);
    return written;
  }

  async moveIn(key: string, sourcePath: string, opts?: WriteOptions): Promise<void> {
    const before = await this.replacing(key, opts);
    const { size } = await stat(sourcePath);
    await this.inner.moveIn(key, sourcePath, opts);
    await this.count(key, before, size);
  }

  async deletePrefix(prefix: string): Promise<{ files: number; bytes: number }> {
    const job = JOB_FOLDER.exec(prefix)?.[1];
    if (job === undefined) {
      const freed = await this.inner.deletePrefix(prefix);
      // A counted blob itself, or a folder of them (`jobs/<id>/models`).
      const target = prefix.replace(/\/+$/, '');
      if (isCounted(target) || isCounted(`${target}/blob`)) await this.counter.add({ objects: -freed.files, bytes: -freed.bytes });
      return freed;
    }
    // A whole job: its counted folders first, then the rest (an embedded job's record files).
    let files = 0;
    let bytes = 0;
    for (const folder of storageKeys.contents(job)) {
      const freed = await this.deletePrefix(folder);
      files += freed.files;
      bytes += freed.bytes;
    }
    const rest = await this.inner.deletePrefix(prefix);
    return { files: files + rest.files, bytes: bytes + rest.bytes };
  }

  read(key: string): Promise<Buffer> {
    return this.inner.read(key);
  }

  localFile(key: string): Promise<LocalFile> {
    return this.inner.localFile(key);
  }

  stat(key: string): Promise<{ size: number } | null> {
    return this.inner.stat(key);
  }

  createReadStream(key: string): Readable {
    return this.inner.createReadStream(key);
  }

  list(prefix: string): AsyncIterable<StoredBlob> {
    return this.inner.list(prefix);
  }

  checkWritable(): Promise<boolean> {
    return this.inner.checkWritable();
  }
}

/**
 * Sets the counts right with one listing of the jobs' blobs: the difference between what the
 * listing found and what the counts said when it began is added, so changes counted meanwhile
 * are kept (a blob written or deleted during the listing may still be off by itself, until the
 * next reconciliation). Run once at start.
 */
export async function reconcileStorageUsage(storage: BlobStorage, counter: StorageUsageCounter, logger: Logger): Promise<StorageUsage> {
  const counted = await counter.read();
  const found: StorageUsage = { objects: 0, bytes: 0 };
  for await (const blob of storage.list('jobs')) {
    if (!isCounted(blob.key)) continue;
    found.objects += 1;
    found.bytes += blob.size;
  }
  const delta = { objects: found.objects - counted.objects, bytes: found.bytes - counted.bytes };
  if (delta.objects !== 0 || delta.bytes !== 0) {
    await counter.add(delta);
    logger.info({ counted, found }, 'Storage counts set right by a listing of the stored blobs');
  }
  return found;
}
