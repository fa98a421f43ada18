import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { FsBlobStorage } from './blob-storage.fs.js';

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

  it('writes buffers and streams under the key and reads them back', async () => {
    expect(await storage.write('jobs/a/models/file_001.glb', Buffer.from('glb!'))).toEqual({ size: 4 });
    expect(await storage.write('jobs/a/previews/file_001.png', Readable.from([Buffer.from('pn'), Buffer.from('g')]))).toEqual({ size: 3 });
    expect((await storage.read('jobs/a/models/file_001.glb')).toString()).toBe('glb!');
    expect(await readFile(path.join(root, 'jobs/a/previews/file_001.png'), 'utf8')).toBe('png');
    expect(await storage.stat('jobs/a/previews/file_001.png')).toEqual({ size: 3 });
    expect(await storage.stat('jobs/a/missing.png')).toBeNull();
    expect(await storage.stat('jobs/a')).toBeNull(); // a directory is not a blob
    const chunks: Buffer[] = [];
    for await (const chunk of storage.createReadStream('jobs/a/models/file_001.glb')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('glb!');
    expect(await readdir(path.join(root, 'jobs/a/models'))).toEqual(['file_001.glb']); // no temp files left
  });

  it('writes a buffer readable at once and syncs it afterwards, leaving no temp file', async () => {
    await storage.write('jobs/a/models/file_001.glb', Buffer.from('old'));
    const written = await storage.writeUnsynced('jobs/a/models/file_001.glb', Buffer.from('new model'));
    expect(written.size).toBe(9);
    expect((await storage.read('jobs/a/models/file_001.glb')).toString()).toBe('new model');
    await written.synced;
    const fresh = await storage.writeUnsynced('jobs/b/previews/file_001.png', Buffer.from('png')); // a directory not made yet
    await fresh.synced;
    expect(await readdir(path.join(root, 'jobs/a/models'))).toEqual(['file_001.glb']);
    expect(await readdir(path.join(root, 'jobs/b/previews'))).toEqual(['file_001.png']);
  });

  it('replaces an existing key whole and keeps the old content when a stream write fails', async () => {
    await storage.write('k/file.bin', Buffer.from('old'));
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(storage.write('k/file.bin', failing)).rejects.toThrow('client went away');
    expect((await storage.read('k/file.bin')).toString()).toBe('old');
    expect(await readdir(path.join(root, 'k'))).toEqual(['file.bin']);
  });

  it('moves a temp file in under its key', async () => {
    const temp = path.join(base, 'upload.tmp');
    await writeFile(temp, 'image');
    await storage.moveIn('jobs/b/uploads/file_001.png', temp);
    expect((await storage.read('jobs/b/uploads/file_001.png')).toString()).toBe('image');
    await expect(readFile(temp)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    ['a parent reference', '../outside.txt'],
    ['a nested parent reference', 'jobs/../../outside.txt'],
    ['a parent reference that stays inside', 'jobs/../jobs/x'],
    ['an absolute path', '/etc/passwd'],
    ['a NUL byte', 'jobs/a\0b'],
    ['a backslash', 'jobs\\..\\..\\x'],
    ['an empty key', ''],
    ['an empty segment', 'jobs//x'],
    ['a dot segment', './x'],
  ])('refuses a key with %s', async (_label, key) => {
    await expect(storage.write(key, Buffer.from('x'))).rejects.toBeInstanceOf(AppError);
    await expect(storage.read(key)).rejects.toBeInstanceOf(AppError);
    await expect(storage.stat(key)).rejects.toBeInstanceOf(AppError);
    await expect(storage.deletePrefix(key)).rejects.toBeInstanceOf(AppError);
    await expect(storage.moveIn(key, path.join(base, 'nothing'))).rejects.toBeInstanceOf(AppError);
    expect(() => storage.createReadStream(key)).toThrow(AppError);
    expect(await readdir(base)).toEqual([]); // nothing written anywhere, not even the root
  });

  it('deletes everything under a prefix and reports files and bytes freed, touching nothing else', async () => {
    await storage.write('jobs/c/uploads/file_001.png', Buffer.alloc(100));
    await storage.write('jobs/c/models/file_001.glb', Buffer.alloc(250));
    await storage.write('jobs/cc/models/file_001.glb', Buffer.alloc(7));
    expect(await storage.deletePrefix('jobs/c')).toEqual({ files: 2, bytes: 350 });
    expect(await storage.stat('jobs/c/models/file_001.glb')).toBeNull();
    expect(await storage.stat('jobs/cc/models/file_001.glb')).toEqual({ size: 7 });
    expect(await storage.deletePrefix('jobs/c')).toEqual({ files: 0, bytes: 0 });
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

  it('reports a writable root as writable and leaves no probe behind', async () => {
    expect(await storage.checkWritable()).toBe(true);
    expect(await readdir(root)).toEqual([]);
  });

  it('reports an unwritable root as not writable', async () => {
    const blocker = path.join(base, 'file-not-dir');
    await writeFile(blocker, '');
    expect(await new FsBlobStorage({ root: path.join(blocker, 'data') }).checkWritable()).toBe(false);
  });
});
