import type { RgbaImage } from '../image/rgba-image.js';
import { uninitialisedUint8 } from '../memory/scratch-memory.js';
import type { CoarseSegmentation } from './grabcut-object.js';

/**
 * The coarse mask brought to the photo's full resolution. Away from the edge a pixel takes the
 * coarse answer. Along it (where the bilinearly upsampled mask is strictly between 0 and 1, a band
 * about two coarse pixels wide) each pixel is decided by Bayes with its own colour: the upsampled
 * value is the prior, GrabCut's two colour mixtures the likelihoods. So the outline follows the
 * photo's edges to the pixel instead of the coarse grid's staircase.
 */
export function refineEdge(photo: RgbaImage, coarse: CoarseSegmentation): Uint8Array {
  const { width, height, data } = photo;
  const small = coarse.image;
  const scaleX = small.width / width;
  const scaleY = small.height / height;
  const mask = uninitialisedUint8(width * height);
  for (let y = 0; y < height; y++) {
    const v = Math.min(small.height - 1, Math.max(0, (y + 0.5) * scaleY - 0.5));
    const y0 = Math.floor(v);
    const y1 = Math.min(small.height - 1, y0 + 1);
    const ty = v - y0;
    for (let x = 0; x < width; x++) {
      const u = Math.min(small.width - 1, Math.max(0, (x + 0.5) * scaleX - 0.5));
      const x0 = Math.floor(u);
      const x1 = Math.min(small.width - 1, x0 + 1);
      const tx = u - x0;
      const prior =
        (1 - ty) * ((1 - tx) * coarse.mask[y0 * small.width + x0]! + tx * coarse.mask[y0 * small.width + x1]!) +
        ty * ((1 - tx) * coarse.mask[y1 * small.width + x0]! + tx * coarse.mask[y1 * small.width + x1]!);
      const i = y * width + x;
      if (prior <= 0 || prior >= 1) {
        mask[i] = prior >= 1 ? 1 : 0;
        continue;
      }
      const r = data[i * 4]!, g = data[i * 4 + 1]!, b = data[i * 4 + 2]!;
      mask[i] = prior * coarse.foreground.density(r, g, b) > (1 - prior) * coarse.background.density(r, g, b) ? 1 : 0;
    }
  }
  return mask;
}
