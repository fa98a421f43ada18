import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateModel } from './generate-model.js';
import { mugWithShadow, starOnWhite } from './test-support/synthetic-photos.js';

const run = promisify(execFile);
// The built script: run `npm run build -w @image2model/mesh` first (the root `npm test` does).
const HASH_SCRIPT = fileURLToPath(new URL('../dist/test-support/print-model-hash.js', import.meta.url));

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('determinism', () => {
  let directory = '';
  let mug: Buffer;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mesh-determinism-'));
    mug = await mugWithShadow(384);
    await writeFile(join(directory, 'mug.png'), mug);
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('gives byte-identical GLBs for the same photo in two separate processes', async () => {
    const photo = join(directory, 'mug.png');
    const [first, second] = await Promise.all([
      run(process.execPath, [HASH_SCRIPT, photo, '2000', 'poisson']),
      run(process.execPath, [HASH_SCRIPT, photo, '2000', 'poisson']),
    ]);
    expect(first.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(second.stdout.trim()).toBe(first.stdout.trim());
    const here = await generateModel(mug, { face_limit: 2_000, method: 'poisson' });
    expect(sha256(here.glb)).toBe(first.stdout.trim());
  });

  it('gives the same bytes again after other generations reused its scratch memory', async () => {
    const first = await generateModel(mug, { face_limit: 2_000 });
    await generateModel(await starOnWhite(600), { face_limit: 8_000, method: 'poisson' });
    const again = await generateModel(mug, { face_limit: 2_000 });
    expect(sha256(again.glb)).toBe(sha256(first.glb));
    expect(again.preview?.equals(first.preview ?? Buffer.alloc(0))).toBe(true);
  });

  it('gives the same bytes when two generations overlap in one thread', async () => {
    const alone = await generateModel(mug, { face_limit: 1_500 });
    const [overlapped] = await Promise.all([
      generateModel(mug, { face_limit: 1_500 }),
      generateModel(await starOnWhite(300), { face_limit: 1_500 }),
    ]);
    expect(sha256(overlapped.glb)).toBe(sha256(alone.glb));
  });
});
