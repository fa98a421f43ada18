/** Bilinear RGB sample of an RGBA texture at (u, v), (0, 0) being the top-left corner. */
export function sampleTexture(texture: { data: Uint8Array; width: number; height: number }, u: number, v: number): [number, number, number] {
  const x = Math.min(texture.width - 1, Math.max(0, u * texture.width - 0.5));
  const y = Math.min(texture.height - 1, Math.max(0, v * texture.height - 0.5));
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const x1 = Math.min(texture.width - 1, x0 + 1), y1 = Math.min(texture.height - 1, y0 + 1);
  const tx = x - x0, ty = y - y0;
  const at = (px: number, py: number, channel: number): number => texture.data[(py * texture.width + px) * 4 + channel]!;
  return [0, 1, 2].map(
    (c) => (at(x0, y0, c) * (1 - tx) + at(x1, y0, c) * tx) * (1 - ty) + (at(x0, y1, c) * (1 - tx) + at(x1, y1, c) * tx) * ty,
  ) as [number, number, number];
}
