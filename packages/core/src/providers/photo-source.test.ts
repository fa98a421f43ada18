import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { photoBlob, photoHead } from './photo-source.js';

describe('PhotoSource', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  async function stored(bytes: Buffer): Promise<{ path: string }> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'i2m-photo-'));
    dirs.push(dir);
    const file = path.join(dir, 'photo.png');
    await writeFile(file, bytes);
    return { path: file };
  }

  it('gives the first bytes of a stored photo and of bytes alike, fewer for a short one', async () => {
    const bytes = Buffer.from('\x89PNG\r\n\x1a\n and the rest of the image', 'latin1');
    expect(await photoHead(await stored(bytes), 8)).toEqual(bytes.subarray(0, 8));
    expect(await photoHead(bytes, 8)).toEqual(bytes.subarray(0, 8));
    expect(await photoHead(await stored(Buffer.from('ab')), 8)).toEqual(Buffer.from('ab'));
  });

  it('gives a blob with the whole photo and its type', async () => {
    const bytes = Buffer.alloc(300_000, 7);
    const blob = await photoBlob(await stored(bytes), 'image/png');
    expect(blob.type).toBe('image/png');
    expect(Buffer.from(await blob.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
