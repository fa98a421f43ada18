/** Stands for "no silhouette anywhere along this line": far outside, yet finite for interpolation. */
export const FAR_OUTSIDE = -1e9;

/**
 * The runs of object pixels along one row or column of a mask, as [start, end) pixel pairs.
 * `stride` steps from one pixel to the next (1 along a row, the width down a column).
 */
export function findRuns(mask: Uint8Array, first: number, length: number, stride: number, runs: Int32Array): number {
  let count = 0;
  let start = -1;
  for (let p = 0; p <= length; p++) {
    const inside = p < length && mask[first + p * stride] !== 0;
    if (inside && start < 0) start = p;
    if (!inside && start >= 0) {
      runs[count * 2] = start;
      runs[count * 2 + 1] = p;
      count++;
      start = -1;
    }
  }
  return count;
}

/**
 * Signed distance in pixels from continuous position `p` to the nearest run boundary: positive
 * inside a run, negative outside, FAR_OUTSIDE when there are no runs. Writes the half-length of
 * the run it is in (or nearest to) into `half[0]`.
 */
export function runDistance(runs: Int32Array, count: number, p: number, half: Float64Array): number {
  let best = FAR_OUTSIDE;
  half[0] = 0;
  for (let r = 0; r < count; r++) {
    const start = runs[r * 2]!;
    const end = runs[r * 2 + 1]!;
    const distance = p < start ? p - start : p >= end ? end - p : Math.min(p - start, end - p);
    if (distance > best) {
      best = distance;
      half[0] = (end - start) / 2;
    }
  }
  return best;
}
