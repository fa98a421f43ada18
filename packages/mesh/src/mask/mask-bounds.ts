/** Pixel bounds (inclusive) and area of a mask's non-zero pixels. */
export interface MaskBounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  area: number;
}

export function findMaskBounds(mask: Uint8Array, width: number, height: number): MaskBounds {
  let minX = width, minY = height, maxX = -1, maxY = -1, area = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] === 0) continue;
      area++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return { minX, minY, maxX, maxY, area };
}
