import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';

// The built package: its worker is dist/pool/convert-worker.js.
import { createConverterPool, readModel, type ConverterPool } from '@image2model/formats';

import { sphereGlb } from '../test-support/synthetic-glb.js';

let pool: ConverterPool | undefined;
afterEach(async () => {
  await pool?.close();
});

describe('createConverterPool', () => {
  it('converts a 200,000-triangle model off the event loop', async () => {
    const glb = await sphereGlb(200_000);
    expect((await readModel(glb)).indices.length / 3).toBeGreaterThan(190_000);
    pool = createConverterPool({ size: 1 });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const [stl, ply] = await Promise.all([pool.convert(glb, { format: 'stl', name: 'big' }), pool.convert(glb, { format: 'ply', name: 'big' })]);
    delay.disable();
    expect(stl.length).toBeGreaterThan(84 + 190_000 * 50);
    expect(new TextDecoder().decode(ply.subarray(0, 4))).toBe('ply\n');
    // The main thread only posted and received bytes: no stall anywhere near a conversion's length.
    expect(delay.max / 1e6).toBeLessThan(250);
  }, 60_000);

  it('rejects a conversion of bytes that are not a GLB, and keeps working', async () => {
    pool = createConverterPool({ size: 1 });
    await expect(pool.convert(new TextEncoder().encode('not a model'), { format: 'stl', name: 'x' })).rejects.toThrow();
    expect((await pool.convert(await sphereGlb(100), { format: 'stl', name: 'x' })).length).toBeGreaterThan(84);
  });
});
