import { readFile, rename } from 'node:fs/promises';
import type { StorageUsage, StorageUsageCounter } from '../../storage/storage-usage.js';
import { tempPathFor, writeSynced } from './atomic-file.js';

/** How long a change waits to be written out, so a batch of uploads costs one write. */
const FLUSH_DELAY_MS = 1000;

interface KeptUsage extends StorageUsage {
  /** Written by `close`: the counts were complete when the process stopped. */
  clean: boolean;
}

/**
 * Embedded mode's storage counts: in memory, kept in a small JSON file (written at most once a
 * second, and on close). The file says whether the process that wrote it stopped cleanly: only
 * then are its counts `trusted` at the next start; after a crash (which may have lost the last
 * second of changes) they are set right by a listing (see reconcileStorageUsage).
 */
export class FsStorageUsage implements StorageUsageCounter {
  private usage: StorageUsage;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    initial: StorageUsage,
    /** Whether the counts read at open were written by a clean stop. */
    readonly trusted: boolean,
  ) {
    this.usage = initial;
  }

  /**
   * The counts kept in `file` (zeros, untrusted, when there is none or it cannot be read). The file
   * is marked in use at once, so a crash from here on leaves it untrusted.
   */
  static async open(file: string): Promise<FsStorageUsage> {
    const kept = await readFile(file, 'utf8')
      .then((text) => JSON.parse(text) as Partial<KeptUsage> | null)
      .catch(() => null);
    const objects = Number.isSafeInteger(kept?.objects) ? (kept?.objects ?? 0) : 0;
    const bytes = Number.isSafeInteger(kept?.bytes) ? (kept?.bytes ?? 0) : 0;
    const usage = new FsStorageUsage(file, { objects, bytes }, kept?.clean === true);
    await usage.flush(false);
    return usage;
  }

  async add(delta: StorageUsage): Promise<void> {
    this.usage = { objects: this.usage.objects + delta.objects, bytes: this.usage.bytes + delta.bytes };
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush(false);
    }, FLUSH_DELAY_MS);
    this.timer.unref();
  }

  async read(): Promise<StorageUsage> {
    return { ...this.usage };
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush(true);
  }

  /** One write at a time, each of the counts as they are then; a failed one is retried by the next change. */
  private flush(clean: boolean): Promise<void> {
    this.writing = this.writing
      .then(async () => {
        const temp = tempPathFor(this.file);
        const kept: KeptUsage = { ...this.usage, clean };
        await writeSynced(temp, JSON.stringify(kept));
        await rename(temp, this.file);
      })
      .catch(() => undefined);
    return this.writing;
  }
}
