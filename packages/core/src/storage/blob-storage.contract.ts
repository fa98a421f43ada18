import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import type { BlobStorage } from './blob-storage.js';

export interface BlobStorageUnderTest {
  storage: BlobStorage;
  /** Every key stored, sorted, temp files and probes included: what the adapter left behind. */
  listKeys(): Promise<string[]>;
  /** Whether `localFile` hands out a copy (removed on release) rather than the stored file itself. */
  copiesLocalFiles: boolean;
  cleanup(): Promise<void>;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The BlobStorage port's contract: every adapter (the data directory, an S3 bucket) passes it.
 * `make` gives a fresh, empty storage for each test.
 */
export function blobStorageContract(name: string, make: () => Promise<BlobStorageUnderTest>): void {
  describe(`BlobStorage contract: ${name}`, () => {
    let subject: BlobStorageUnderTest;
    let storage: BlobStorage;
    let scratch: string;

    beforeEach(async () => {
      subject = await make();
      storage = subject.storage;
      scratch = await mkdtemp(path.join(os.tmpdir(), 'i2m-blob-contract-'));
    });
    afterEach(async () => {
      await subject.cleanup();
      await rm(scratch, { recursive: true, force: true });
    });

    it('writes buffers and streams under their keys and reads them back by read, stat and stream', async () => {
      expect(await storage.write('jobs/a/models/file_001.glb', Buffer.from('glb!'))).toEqual({ size: 4 });
      expect(await storage.write('jobs/a/previews/file_001.png', Readable.from([Buffer.from('pn'), Buffer.from('g')]))).toEqual({ size: 3 });
      expect((await storage.read('jobs/a/models/file_001.glb')).toString()).toBe('glb!');
      expect(await storage.stat('jobs/a/previews/file_001.png')).toEqual({ size: 3 });
      expect(await storage.stat('jobs/a/missing.png')).toBeNull();
      expect(await storage.stat('jobs/a')).toBeNull(); // a prefix is not a blob
      expect((await collect(storage.createReadStream('jobs/a/previews/file_001.png'))).toString()).toBe('png');
      expect(await subject.listKeys()).toEqual(['jobs/a/models/file_001.glb', 'jobs/a/previews/file_001.png']);
    });

    it('streams a write larger than a multipart part without losing a byte', async () => {
      const big = Buffer.alloc(20 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
      const chunks = Array.from({ length: 40 }, (_, i) => big.subarray(i * 512 * 1024, (i + 1) * 512 * 1024));
      expect(await storage.write('jobs/big/uploads/file_001.png', Readable.from(chunks))).toEqual({ size: big.length });
      expect((await collect(storage.createReadStream('jobs/big/uploads/file_001.png'))).equals(big)).toBe(true);
      expect(await storage.stat('jobs/big/uploads/file_001.png')).toEqual({ size: big.length });
    });

    it('makes a buffer readable at once with writeUnsynced, and settles `synced`', async () => {
      await storage.write('jobs/a/models/file_001.glb', Buffer.from('old'));
      const written = await storage.writeUnsynced('jobs/a/models/file_001.glb', Buffer.from('new model'));
      expect(written.size).toBe(9);
      expect((await storage.read('jobs/a/models/file_001.glb')).toString()).toBe('new model');
      await written.synced;
      expect(await subject.listKeys()).toEqual(['jobs/a/models/file_001.glb']);
    });

    it('replaces a key whole, and keeps the old content when a stream write fails', async () => {
      await storage.write('k/file.bin', Buffer.from('old'));
      const failing = new Readable({
        read() {
          this.push(Buffer.from('partial'));
          this.destroy(new Error('client went away'));
        },
      });
      await expect(storage.write('k/file.bin', failing)).rejects.toThrow('client went away');
      expect((await storage.read('k/file.bin')).toString()).toBe('old');
      expect(await subject.listKeys()).toEqual(['k/file.bin']);
    });

    it('moves a local temp file in under its key and removes the temp file', async () => {
      const temp = path.join(scratch, 'upload.tmp');
      await writeFile(temp, 'image');
      await storage.moveIn('jobs/b/uploads/file_001.png', temp);
      expect((await storage.read('jobs/b/uploads/file_001.png')).toString()).toBe('image');
      await expect(stat(temp)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('moves in a file larger than a multipart part whole, byte for byte, leaving no part behind', async () => {
      const big = Buffer.alloc(19 * 1024 * 1024 + 123);
      for (let i = 0; i + 4 <= big.length; i += 4096) big.writeUInt32LE(i, i);
      const temp = path.join(scratch, 'big-upload.tmp');
      await writeFile(temp, big);
      await storage.moveIn('jobs/big/uploads/file_001.jpg', temp);
      expect((await storage.read('jobs/big/uploads/file_001.jpg')).equals(big)).toBe(true);
      expect(await storage.stat('jobs/big/uploads/file_001.jpg')).toEqual({ size: big.length });
      expect(await subject.listKeys()).toEqual(['jobs/big/uploads/file_001.jpg']);
    });

    it('hands a stored blob out as a local file until released', async () => {
      await storage.write('jobs/c/uploads/file_001.png', Buffer.from('photo bytes'));
      const local = await storage.localFile('jobs/c/uploads/file_001.png');
      expect(await readFile(local.path, 'utf8')).toBe('photo bytes');
      await local.release();
      if (subject.copiesLocalFiles) await expect(stat(local.path)).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await storage.read('jobs/c/uploads/file_001.png')).toString()).toBe('photo bytes'); // the stored one stays
    });

    it('answers a missing key with ENOENT from read, the stream and localFile', async () => {
      await expect(storage.read('jobs/none/x.glb')).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(collect(storage.createReadStream('jobs/none/x.glb'))).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(storage.localFile('jobs/none/x.glb')).rejects.toMatchObject({ code: 'ENOENT' });
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
    ])('refuses a key with %s, storing nothing', async (_label, key) => {
      await expect(storage.write(key, Buffer.from('x'))).rejects.toBeInstanceOf(AppError);
      await expect(storage.writeUnsynced(key, Buffer.from('x'))).rejects.toBeInstanceOf(AppError);
      await expect(storage.read(key)).rejects.toBeInstanceOf(AppError);
      await expect(storage.stat(key)).rejects.toBeInstanceOf(AppError);
      await expect(storage.deletePrefix(key)).rejects.toBeInstanceOf(AppError);
      await expect(storage.moveIn(key, path.join(scratch, 'nothing'))).rejects.toBeInstanceOf(AppError);
      await expect(storage.localFile(key)).rejects.toBeInstanceOf(AppError);
      expect(() => storage.createReadStream(key)).toThrow(AppError);
      await expect(storage.list(key)[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(AppError);
      expect(await subject.listKeys()).toEqual([]);
    });

    it('deletes everything under a prefix and reports files and bytes freed, touching nothing else', async () => {
      await storage.write('jobs/c/uploads/file_001.png', Buffer.alloc(100));
      await storage.write('jobs/c/models/file_001.glb', Buffer.alloc(250));
      await storage.write('jobs/cc/models/file_001.glb', Buffer.alloc(7));
      expect(await storage.deletePrefix('jobs/c')).toEqual({ files: 2, bytes: 350 });
      expect(await storage.stat('jobs/c/models/file_001.glb')).toBeNull();
      expect(await storage.deletePrefix('jobs/c')).toEqual({ files: 0, bytes: 0 });
      expect(await storage.deletePrefix('jobs/cc/models/file_001.glb')).toEqual({ files: 1, bytes: 7 }); // one key
      expect(await subject.listKeys()).toEqual([]);
    });

    it('lists every blob under a prefix with its size, and nothing beside it', async () => {
      await storage.write('jobs/l/uploads/file_001.png', Buffer.alloc(10));
      await storage.write('jobs/l/models/file_001.glb', Readable.from([Buffer.alloc(25)]));
      await storage.write('jobs/ll/models/file_001.glb', Buffer.alloc(3));
      await storage.write('other/x.bin', Buffer.alloc(1));
      const listed = async (prefix: string) => {
        const found = [];
        for await (const blob of storage.list(prefix)) found.push(blob);
        return found.sort((a, b) => a.key.localeCompare(b.key));
      };
      expect(await listed('jobs/l')).toEqual([
        { key: 'jobs/l/models/file_001.glb', size: 25 },
        { key: 'jobs/l/uploads/file_001.png', size: 10 },
      ]);
      expect((await listed('jobs')).map((blob) => blob.key)).toEqual(['jobs/l/models/file_001.glb', 'jobs/l/uploads/file_001.png', 'jobs/ll/models/file_001.glb']);
      expect(await listed('jobs/none')).toEqual([]);
    });

    it('reports itself writable and leaves no probe behind', async () => {
      expect(await storage.checkWritable()).toBe(true);
      expect(await subject.listKeys()).toEqual([]);
    });
  });
}
