/** An 8-bit RGBA raster, rows top to bottom, no padding. */
export interface RgbaImage {
  data: Uint8Array;
  width: number;
  height: number;
}
