// Runs against the built package (worker threads load dist/pool/generate-worker.js):
// `npm run build -w @image2model/mesh` first; the root `npm test` does.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createGeneratorPool, generateModel, generateMultiviewModel, SYMMETRY_ASSUMED, type GeneratorPool } from '@image2model/mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { busyBackground, mugWithShadow } from '@image2model/testing/synthetic-photos';

import { lBlock, renderFourViews } from '../test-support/multiview-objects.js';

describe('createGeneratorPool', () => {
  let pool: GeneratorPool;
  let mug: Buffer;

  beforeAll(async () => {
    pool = createGeneratorPool({ size: 1 });
    mug = await mugWithShadow(1024);
    await pool.warmUp();
  });
  afterAll(() => pool.close());

  it('generates on a worker thread, with progress that only goes up and ends at 100', async () => {
    const updates: [number, string][] = [];
    const result = await pool.generate(mug, { face_limit: 5_000, onProgress: (progress, stage) => updates.push([progress, stage]) });
    const values = updates.map(([progress]) => progress);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]!);
    expect(updates.at(-1)).toEqual([100, 'done']);
    expect(result.glb.subarray(0, 4).toString('latin1')).toBe('glTF');
    expect(result.preview?.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(result.stats).toMatchObject({ width: 1024, height: 1024, fallback: 'none', shape: 'revolved' });
    expect(result.warnings).toEqual([SYMMETRY_ASSUMED]);
    // Same bytes as generating on this thread: workers change where, not what.
    expect(result.glb.equals((await generateModel(mug, { face_limit: 5_000 })).glb)).toBe(true);
  });

  it('separates a busy-background photo with GrabCut on the worker (OpenCV loaded at warm-up), same bytes as here, and passes the segmentation on', async () => {
    const busy = await busyBackground(512);
    const result = await pool.generate(busy, { face_limit: 3_000 });
    expect(result.segmentation).toMatchObject({ method: 'grabcut', warnings: [] });
    expect(result.segmentation.confidence).toBeGreaterThan(0.8);
    expect(result.glb.equals((await generateModel(busy, { face_limit: 3_000 })).glb)).toBe(true);
  });

  it('keeps the event loop free while a generation runs', async () => {
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(performance.now()), 5);
    const started = performance.now();
    await pool.generate(mug, { face_limit: 20_000 });
    const elapsed = performance.now() - started;
    clearInterval(timer);
    const gaps = ticks.slice(1).map((tick, i) => tick - ticks[i]!);
    expect(ticks.length).toBeGreaterThan(elapsed / 5 / 4);
    // Generating here on the main thread would stall the timer for most of the run.
    expect(Math.max(...gaps)).toBeLessThan(elapsed / 2);
  });

  it('leaves the caller\'s buffer intact (the worker gets a copy)', async () => {
    const before = Buffer.from(mug);
    await pool.generate(mug, { face_limit: 1_000 });
    expect(mug.equals(before)).toBe(true);
  });

  it('reads a photo given by path on its thread, with the same result as its bytes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'i2m-pool-'));
    try {
      const file = path.join(dir, 'mug.png');
      await writeFile(file, mug);
      const fromPath = await pool.generate(file, { face_limit: 1_000 });
      expect(fromPath.glb.equals((await pool.generate(mug, { face_limit: 1_000 })).glb)).toBe(true);
      await expect(pool.generate(path.join(dir, 'missing.png'), { face_limit: 1_000 })).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('generates a visual hull from several views on a worker thread (one view by path), the same bytes as here', async () => {
    const views = await renderFourViews(lBlock());
    const dir = await mkdtemp(path.join(os.tmpdir(), 'i2m-pool-'));
    try {
      const left = path.join(dir, 'left.png');
      await writeFile(left, views.left);
      const result = await pool.generateMultiview({ ...views, left }, { face_limit: 3_000 });
      expect(result.stats).toMatchObject({ shape: 'hull', views: ['front', 'left', 'back', 'right'] });
      expect(result.warnings).toEqual([]);
      expect(result.preview?.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(result.glb.equals((await generateMultiviewModel(views, { face_limit: 3_000 })).glb)).toBe(true);
      await expect(pool.generateMultiview({ front: views.front, back: views.back }, { face_limit: 3_000 })).rejects.toThrow(RangeError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad options and unreadable images with errors that keep their names', async () => {
    await expect(pool.generate(mug, { face_limit: 3 })).rejects.toThrow(RangeError);
    const error = await pool.generate(Buffer.from('not an image'), { face_limit: 1_000 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'InvalidImageError' });
    expect((error as Error).message).toMatch(/^Could not read the image/);
  });
});
