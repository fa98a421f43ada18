/** Bilinear sample of a row-major grid at (u, v) in cell-centre units, clamped to the grid's edge. */
export function sampleBilinear(values: Float32Array, width: number, height: number, u: number, v: number): number {
  const cu = Math.min(width - 1, Math.max(0, u));
  const cv = Math.min(height - 1, Math.max(0, v));
  const x0 = Math.floor(cu);
  const y0 = Math.floor(cv);
  const x1 = Math.min(width - 1, x0 + 1);
  const y1 = Math.min(height - 1, y0 + 1);
  const tx = cu - x0;
  const ty = cv - y0;
  const top = values[y0 * width + x0]! * (1 - tx) + values[y0 * width + x1]! * tx;
  const bottom = values[y1 * width + x0]! * (1 - tx) + values[y1 * width + x1]! * tx;
  return top * (1 - ty) + bottom * ty;
}
