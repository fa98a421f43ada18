import { describe, expect, it } from 'vitest';

import { decodePhoto } from '../image/decode-photo.js';
import { compositeSet, maskIou } from '../test-support/composite-photos.js';
import { segmentObject } from './segment-object.js';

interface Scored {
  name: string;
  method: string;
  separated: boolean;
  confidence: number;
  iou: number;
}

describe('segmentObject on objects composited onto real photos', () => {
  it('separates at least 80 % of them, with mean IoU ≥ 0.9 and none below 0.75 unflagged', async () => {
    const scored: Scored[] = [];
    for (const composite of await compositeSet()) {
      const { image } = await decodePhoto(composite.photo);
      const segmentation = await segmentObject(image);
      const separated = segmentation.fallback === 'none';
      scored.push({ name: composite.name, method: segmentation.method, separated, confidence: segmentation.confidence, iou: maskIou(segmentation.mask, composite.truth) });
    }
    console.table(scored.map((s) => ({ ...s, confidence: s.confidence.toFixed(3), iou: s.iou.toFixed(3) })));
    const separated = scored.filter((s) => s.separated);
    expect(separated.length / scored.length).toBeGreaterThanOrEqual(0.8);
    expect(separated.reduce((sum, s) => sum + s.iou, 0) / separated.length).toBeGreaterThanOrEqual(0.9);
    expect(separated.filter((s) => s.iou < 0.75).map((s) => s.name)).toEqual([]);
  }, 120_000);
});
