import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsBlobStorage } from '../storage/blob-storage.fs.js';
import { MemoryStorageUsage } from '../testing/memory-storage-usage.js';
import { CountedBlobStorage } from './counted-storage.js';
import { deleteOlderDerivatives } from './older-derivatives.js';
import { storageKeys } from './storage-keys.js';

describe('deleteOlderDerivatives', () => {
  let root: string;
  let usage: MemoryStorageUsage;
  let storage: CountedBlobStorage;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'i2m-derivatives-'));
    usage = new MemoryStorageUsage();
    storage = new CountedBlobStorage(new FsBlobStorage({ root }), usage);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function keys(): Promise<string[]> {
    const found: string[] = [];
    for await (const blob of storage.list('jobs/a/models')) found.push(blob.key);
    return found.sort();
  }

  it("removes the file's older generations' conversions and reports, and takes them off the counts; nothing else", async () => {
    await storage.write(storageKeys.model('a', 'file_001'), Buffer.alloc(100));
    await storage.write(storageKeys.model('a', 'file_0010'), Buffer.alloc(100));
    for (const generation of [1, 2, 9]) {
      await storage.write(storageKeys.conversion('a', 'file_001', generation, '.stl'), Buffer.alloc(10));
      await storage.write(storageKeys.printReport('a', 'file_001', generation), Buffer.alloc(5));
    }
    // Another file whose id starts like this one's, and this file's current generation.
    await storage.write(storageKeys.conversion('a', 'file_0010', 1, '.obj.zip'), Buffer.alloc(7));
    await storage.write(storageKeys.conversion('a', 'file_001', 10, '.3mf'), Buffer.alloc(3));
    expect(usage.usage).toEqual({ objects: 10, bytes: 255 });

    expect(await deleteOlderDerivatives(storage, 'a', 'file_001', 10)).toBe(6);
    expect(await keys()).toEqual(['jobs/a/models/file_001.g10.3mf', 'jobs/a/models/file_001.glb', 'jobs/a/models/file_0010.g1.obj.zip', 'jobs/a/models/file_0010.glb']);
    expect(usage.usage).toEqual({ objects: 4, bytes: 210 });
    expect(await deleteOlderDerivatives(storage, 'b', 'file_001', 2)).toBe(0);
  });
});
