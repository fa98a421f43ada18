import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { FsBlobStorage } from '../storage/blob-storage.fs.js';
import { MemoryStorageUsage } from '../testing/memory-storage-usage.js';
import { CountedBlobStorage, reconcileStorageUsage } from './counted-storage.js';

describe('CountedBlobStorage', () => {
  let root: string;
  let usage: MemoryStorageUsage;
  let storage: CountedBlobStorage;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'i2m-counted-'));
    usage = new MemoryStorageUsage();
    storage = new CountedBlobStorage(new FsBlobStorage({ root }), usage);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("counts a job's blobs as they are written, a replaced one once, and nothing else", async () => {
    await storage.write('jobs/a/uploads/file_001.png', Buffer.alloc(100));
    const temp = path.join(root, 'upload.tmp');
    await writeFile(temp, Buffer.alloc(50));
    await storage.moveIn('jobs/a/uploads/file_002.png', temp, { fresh: true });
    await (await storage.writeUnsynced('jobs/a/models/file_001.glb', Buffer.alloc(30), { fresh: true })).synced;
    expect(usage.usage).toEqual({ objects: 3, bytes: 180 });
    // Written again (a regeneration): its size changes, the object count does not.
    await (await storage.writeUnsynced('jobs/a/models/file_001.glb', Buffer.alloc(10))).synced;
    expect(usage.usage).toEqual({ objects: 3, bytes: 160 });
    // Outside a job's blobs: probes, markers, an embedded job's record.
    await storage.write('.image2model/volume-x', Buffer.alloc(7));
    await storage.write('jobs/a/job.json', Buffer.alloc(9));
    expect(usage.usage).toEqual({ objects: 3, bytes: 160 });
  });

  it('takes off what a deletion frees, a blob, a folder or a whole job (its record files not counted)', async () => {
    await storage.write('jobs/a/uploads/file_001.png', Buffer.alloc(100));
    await storage.write('jobs/a/models/file_001.glb', Buffer.alloc(30));
    await storage.write('jobs/a/previews/file_001.png', Buffer.alloc(5));
    await storage.write('jobs/b/uploads/file_001.png', Buffer.alloc(1));
    await mkdir(path.join(root, 'jobs/a/events'), { recursive: true });
    await writeFile(path.join(root, 'jobs/a/job.json'), '{}');
    expect(await storage.deletePrefix('jobs/a/previews/file_001.png')).toEqual({ files: 1, bytes: 5 });
    expect(await storage.deletePrefix('jobs/b/uploads')).toEqual({ files: 1, bytes: 1 });
    expect(usage.usage).toEqual({ objects: 2, bytes: 130 });
    expect(await storage.deletePrefix('jobs/a')).toEqual({ files: 3, bytes: 132 });
    expect(usage.usage).toEqual({ objects: 0, bytes: 0 });
  });

  it('is set right by one listing, keeping what was counted meanwhile', async () => {
    const inner = new FsBlobStorage({ root });
    await inner.write('jobs/a/uploads/file_001.png', Buffer.alloc(100)); // stored behind the counts' back
    await inner.write('jobs/a/job.json', Buffer.alloc(9));
    await usage.add({ objects: 5, bytes: 5 });
    expect(await reconcileStorageUsage(storage, usage, silentLogger)).toEqual({ objects: 1, bytes: 100 });
    expect(usage.usage).toEqual({ objects: 1, bytes: 100 });
  });
});
