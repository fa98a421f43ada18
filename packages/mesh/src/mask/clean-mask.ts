import { labelComponents } from './label-components.js';
import { uninitialisedUint8 } from '../memory/scratch-memory.js';

/** Components smaller than this share of the largest one are specks (dust, noise, a stray label edge). */
const SPECK_SHARE = 0.02;
/** Holes and specks below this share of the image are noise at any size. */
const NOISE_SHARE = 0.0002;

/** The smallest enclosed background region worth keeping as a hole, in pixels. */
export function minHoleArea(width: number, height: number): number {
  return Math.max(16, Math.round(width * height * 0.0005));
}

/** Removes foreground specks, in place: components much smaller than the largest one. */
export function dropSpecks(mask: Uint8Array, width: number, height: number): void {
  const { labels, areas } = labelComponents(mask, width, height, 8);
  const keep = Math.max(NOISE_SHARE * width * height, SPECK_SHARE * largest(areas));
  const drop = Uint8Array.from(areas, (area) => (area < keep ? 1 : 0));
  setLabelled(mask, labels, drop, 0);
}

/** Fills, in place, enclosed background regions too small to be real holes (pinholes in an alpha mask, noise). */
export function fillSmallHoles(mask: Uint8Array, width: number, height: number): void {
  const { labels, areas, boxes } = labelComponents(invert(mask), width, height, 4);
  const limit = minHoleArea(width, height);
  const fill = Uint8Array.from(areas, (area, label) => {
    const touchesBorder =
      boxes[label * 4] === 0 || boxes[label * 4 + 1] === 0 || boxes[label * 4 + 2] === width - 1 || boxes[label * 4 + 3] === height - 1;
    return area < limit && !touchesBorder ? 1 : 0;
  });
  setLabelled(mask, labels, fill, 1);
}

export function invert(mask: Uint8Array): Uint8Array {
  const inverted = uninitialisedUint8(mask.length);
  for (let i = 0; i < mask.length; i++) inverted[i] = mask[i] === 0 ? 1 : 0;
  return inverted;
}

export function maskCoverage(mask: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  return mask.length === 0 ? 0 : count / mask.length;
}

function largest(areas: number[]): number {
  let max = 0;
  for (const area of areas) max = Math.max(max, area);
  return max;
}

/** Sets `value` on every pixel whose component is flagged. */
function setLabelled(mask: Uint8Array, labels: Int32Array, flagged: Uint8Array, value: number): void {
  for (let i = 0; i < mask.length; i++) {
    const label = labels[i]!;
    if (label >= 0 && flagged[label] === 1) mask[i] = value;
  }
}
