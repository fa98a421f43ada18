import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Every call FsBlobStorage makes on the file system that matters for durability, in order. */
const calls: string[] = [];

// Spies under the unit: the real functions run, each call is recorded with its path.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const root = (file: string): string => path.relative(process.env.I2M_SPY_ROOT ?? '/', file) || '.';
  return {
    ...actual,
    async open(file: string, flags?: string, mode?: number): Promise<FileHandle> {
      const handle = await actual.open(file, flags, mode);
      const sync = handle.sync.bind(handle);
      const chmod = handle.chmod.bind(handle);
      handle.sync = async () => {
        calls.push(`sync ${root(file)}`);
        return sync();
      };
      handle.chmod = async (to) => {
        calls.push(`chmod ${root(file)} ${Number(to).toString(8)}`);
        return chmod(to);
      };
      return handle;
    },
    async rename(from: string, to: string): Promise<void> {
      calls.push(`rename ${root(from)} -> ${root(to)}`);
      return actual.rename(from, to);
    },
  };
});

const { FsBlobStorage } = await import('./blob-storage.fs.js');

describe('FsBlobStorage.moveIn durability', () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'i2m-durable-'));
    process.env.I2M_SPY_ROOT = base;
    calls.length = 0;
  });
  afterEach(async () => {
    delete process.env.I2M_SPY_ROOT;
    await rm(base, { recursive: true, force: true });
  });

  it('makes the photo 0600 and syncs it, then renames it in, then syncs its directory and every directory it made, before resolving', async () => {
    const storage = new FsBlobStorage({ root: path.join(base, 'data') });
    const upload = path.join(base, 'upload-1');
    await writeFile(upload, 'photo bytes', { mode: 0o644 });

    await storage.moveIn('jobs/batch_1/uploads/file_001.png', upload);
    // Everything below happened before moveIn resolved, so before any job record naming the photo.
    expect(calls).toEqual([
      'chmod upload-1 600',
      'sync upload-1',
      'rename upload-1 -> data/jobs/batch_1/uploads/file_001.png',
      'sync data/jobs/batch_1/uploads',
      // mkdir made data/, jobs/, batch_1/ and uploads/: each new entry is synced in its parent.
      'sync data/jobs/batch_1',
      'sync data/jobs',
      'sync data',
      'sync .',
    ]);
    expect((await stat(path.join(base, 'data/jobs/batch_1/uploads/file_001.png'))).mode & 0o777).toBe(0o600);

    // The directory exists now: only the file and its own directory are synced.
    calls.length = 0;
    const second = path.join(base, 'upload-2');
    await writeFile(second, 'photo bytes');
    await storage.moveIn('jobs/batch_1/uploads/file_002.png', second);
    expect(calls).toEqual(['chmod upload-2 600', 'sync upload-2', 'rename upload-2 -> data/jobs/batch_1/uploads/file_002.png', 'sync data/jobs/batch_1/uploads']);
  });
});
