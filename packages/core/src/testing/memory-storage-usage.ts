import type { StorageUsage, StorageUsageCounter } from '../storage/storage-usage.js';

/** Storage counts held in memory, for tests of what keeps them: `usage` is what was counted. */
export class MemoryStorageUsage implements StorageUsageCounter {
  usage: StorageUsage = { objects: 0, bytes: 0 };

  async add(delta: StorageUsage): Promise<void> {
    this.usage = { objects: this.usage.objects + delta.objects, bytes: this.usage.bytes + delta.bytes };
  }

  async read(): Promise<StorageUsage> {
    return { ...this.usage };
  }

  async close(): Promise<void> {}
}
