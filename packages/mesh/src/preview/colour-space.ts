/**
 * sRGB ↔ linear lookup tables. Lighting and the supersampling average happen in linear light: in
 * sRGB, shading looks muddy and anti-aliased edges look too dark. Tables keep it cheap and exact
 * to reproduce (no Math.pow per pixel).
 */

/** Linear value of each 8-bit sRGB code. */
export const SRGB_TO_LINEAR: Float32Array = buildDecodeTable();

/** Resolution of the encode table; 4096 steps stay below one 8-bit code even in the darks. */
const ENCODE_STEPS = 4095;
const LINEAR_TO_SRGB: Uint8Array = buildEncodeTable();

export function encodeSrgb(linear: number): number {
  // `!(x > 0)` also catches NaN, so a bad sample renders black instead of poisoning the table lookup.
  if (!(linear > 0)) return 0;
  if (linear >= 1) return 255;
  return LINEAR_TO_SRGB[(linear * ENCODE_STEPS + 0.5) | 0]!;
}

function buildDecodeTable(): Float32Array {
  const table = new Float32Array(256);
  for (let code = 0; code < 256; code++) {
    const s = code / 255;
    table[code] = s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }
  return table;
}

function buildEncodeTable(): Uint8Array {
  const table = new Uint8Array(ENCODE_STEPS + 1);
  for (let i = 0; i <= ENCODE_STEPS; i++) {
    const l = i / ENCODE_STEPS;
    const s = l <= 0.0031308 ? l * 12.92 : 1.055 * l ** (1 / 2.4) - 0.055;
    table[i] = Math.round(s * 255);
  }
  return table;
}
