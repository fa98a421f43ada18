import { readFile, rename } from 'node:fs/promises';
import type { StorageUsage, StorageUsageCounter } from '../../storage/storage-usage.js';
import { tempPathFor, writeSynced } from './atomic-file.js';

/** How long a change waits to be written out, so a batch of uploads costs one write. */
const FLUSH_DELAY_MS = 1000;

/**
 * Embedded mode's storage counts: in memory, kept in a small JSON file (written at most once a
 * second, and on close). A crash loses at most the last second of changes, which the
 * reconciliation at the next start sets right.
 */
export class FsStorageUsage implements StorageUsageCounter {
  private usage: StorageUsage;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    initial: StorageUsage,
  ) {
    this.usage = initial;
  }

  /** The counts kept in `file`, or zeros when there is none (or it cannot be read). */
  static async open(file: string): Promise<FsStorageUsage> {
    // A missing or damaged file counts from zero: the reconciliation at start sets the counts right.
    const kept = await readFile(file, 'utf8')
      .then((text) => JSON.parse(text) as Partial<StorageUsage> | null)
      .catch(() => null);
    const objects = Number.isSafeInteger(kept?.objects) ? (kept?.objects ?? 0) : 0;
    const bytes = Number.isSafeInteger(kept?.bytes) ? (kept?.bytes ?? 0) : 0;
    return new FsStorageUsage(file, { objects, bytes });
  }

  async add(delta: StorageUsage): Promise<void> {
    this.usage = { objects: this.usage.objects + delta.objects, bytes: this.usage.bytes + delta.bytes };
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, FLUSH_DELAY_MS);
    this.timer.unref();
  }

  async read(): Promise<StorageUsage> {
    return { ...this.usage };
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** One write at a time, each of the counts as they are then; a failed one is retried by the next change. */
  private flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const temp = tempPathFor(this.file);
      await writeSynced(temp, JSON.stringify(this.usage));
      await rename(temp, this.file);
    }).catch(() => undefined);
    return this.writing;
  }
}
