import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateModel } from './generate-model.js';
import { busyBackground, mugWithShadow } from '@image2model/testing/synthetic-photos';

// Integration, not unit: it starts child processes. The in-process cases are in determinism.test.ts.
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

  it('gives byte-identical GLBs for a busy-background photo (GrabCut) in fresh processes and after other photos', async () => {
    const busy = await busyBackground(384);
    const photo = join(directory, 'busy.png');
    await writeFile(photo, busy);
    const [first, second] = await Promise.all([run(process.execPath, [HASH_SCRIPT, photo, '2000']), run(process.execPath, [HASH_SCRIPT, photo, '2000'])]);
    expect(second.stdout.trim()).toBe(first.stdout.trim());
    // This process has already run GrabCut and the generator on other photos: OpenCV's state must not leak into the bytes.
    await generateModel(await busyBackground(256), { face_limit: 1_000 });
    const here = await generateModel(busy, { face_limit: 2_000 });
    expect(here.segmentation.method).toBe('grabcut');
    expect(sha256(here.glb)).toBe(first.stdout.trim());
  });
});
