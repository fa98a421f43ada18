import { describe, expect, it } from 'vitest';

import { scratchFloat32, uninitialisedFloat32, withScratchMemory } from './scratch-memory.js';

describe('scratch memory', () => {
  it('hands out zeroed arrays even when the memory was used before', async () => {
    await withScratchMemory(async () => {
      uninitialisedFloat32(100_000).fill(7);
    });
    await withScratchMemory(async () => {
      expect(scratchFloat32(100_000).every((value) => value === 0)).toBe(true);
    });
  });

  it('reuses the memory of the previous generation', async () => {
    let first: ArrayBufferLike | undefined;
    await withScratchMemory(async () => {
      first = uninitialisedFloat32(100_000).buffer;
    });
    await withScratchMemory(async () => {
      expect(uninitialisedFloat32(100_000).buffer).toBe(first);
    });
  });

  it('never gives two live arrays the same memory, even across overlapping generations', async () => {
    const arrays: Float32Array[] = [];
    const work = async (): Promise<void> => {
      arrays.push(uninitialisedFloat32(50_000), uninitialisedFloat32(50_000));
      await new Promise((resolve) => setTimeout(resolve, 5));
      arrays.push(uninitialisedFloat32(50_000));
    };
    await Promise.all([withScratchMemory(work), withScratchMemory(work)]);
    arrays.forEach((array, i) => array.fill(i));
    arrays.forEach((array, i) => expect(array.every((value) => value === i)).toBe(true));
  });

  it('allocates normally outside a generation', () => {
    expect(scratchFloat32(100_000).buffer.byteLength).toBe(400_000);
  });
});
