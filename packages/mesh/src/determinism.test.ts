import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';

import { generateModel } from './generate-model.js';
import { mugWithShadow, starOnWhite } from '@image2model/testing/synthetic-photos';

// Within one process; across processes: determinism.int.test.ts.

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('determinism', () => {
  let mug: Buffer;

  beforeAll(async () => {
    mug = await mugWithShadow(384);
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
