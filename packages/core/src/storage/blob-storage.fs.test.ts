import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsBlobStorage } from './blob-storage.fs.js';

// What every adapter does is in blob-storage.contract.ts (run for this one by
// blob-storage.fs.contract.test.ts); these are the data directory's own cases.
describe('FsBlobStorage', () => {
  let base: string;
  let root: string;
  let storage: FsBlobStorage;

  beforeEach(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'i2m-blob-'));
    root = path.join(base, 'data');
    storage = new FsBlobStorage({ root });
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('makes the directories a first write needs, for writeUnsynced too', async () => {
    const fresh = await storage.writeUnsynced('jobs/b/previews/file_001.png', Buffer.from('png'));
    await fresh.synced;
    expect(await readdir(path.join(root, 'jobs/b/previews'))).toEqual(['file_001.png']);
    expect(await readFile(path.join(root, 'jobs/b/previews/file_001.png'), 'utf8')).toBe('png');
  });

  it('hands out the stored file itself as the local file', async () => {
    await storage.write('jobs/a/uploads/file_001.png', Buffer.from('photo'));
    expect((await storage.localFile('jobs/a/uploads/file_001.png')).path).toBe(path.join(root, 'jobs/a/uploads/file_001.png'));
  });

  it('creates nothing, not even the root, for a refused key', async () => {
    await expect(storage.write('../outside.txt', Buffer.from('x'))).rejects.toThrow('Invalid storage key');
    expect(await readdir(base)).toEqual([]);
  });

  it('does not follow a symlink out of the root when deleting', async () => {
    const outside = path.join(base, 'outside');
    await mkdir(outside);
    await writeFile(path.join(outside, 'precious.txt'), 'keep me');
    await storage.write('jobs/d/x.bin', Buffer.alloc(3));
    await symlink(outside, path.join(root, 'jobs/d/link'));
    expect(await storage.deletePrefix('jobs/d')).toEqual({ files: 2, bytes: 3 });
    expect(await readFile(path.join(outside, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('reports an unwritable root as not writable', async () => {
    const blocker = path.join(base, 'file-not-dir');
    await writeFile(blocker, '');
    expect(await new FsBlobStorage({ root: path.join(blocker, 'data') }).checkWritable()).toBe(false);
  });
});
