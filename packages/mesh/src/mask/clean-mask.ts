import { uninitialisedUint8 } from '../memory/scratch-memory.js';
import { findRunComponents, paintComponents } from './run-components.js';

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
  const components = findRunComponents(mask, { width, height }, { value: 1, connectivity: 8 });
  let largest = 0;
  for (const area of components.areas) largest = Math.max(largest, area);
  const keep = Math.max(NOISE_SHARE * width * height, SPECK_SHARE * largest);
  paintComponents(mask, width, components, Uint8Array.from(components.areas, (area) => (area < keep ? 1 : 0)), 0);
}

/** Fills, in place, enclosed background regions too small to be real holes (pinholes in an alpha mask, noise). */
export function fillSmallHoles(mask: Uint8Array, width: number, height: number): void {
  const components = findRunComponents(mask, { width, height }, { value: 0, connectivity: 4 });
  const { areas, boxes } = components;
  const fill = new Uint8Array(components.count);
  for (let c = 0; c < components.count; c++) {
    const touchesBorder = boxes[c * 4] === 0 || boxes[c * 4 + 1] === 0 || boxes[c * 4 + 2] === width - 1 || boxes[c * 4 + 3] === height - 1;
    fill[c] = areas[c]! < minHoleArea(width, height) && !touchesBorder ? 1 : 0;
  }
  paintComponents(mask, width, components, fill, 1);
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

/** Keeps, in place, only the largest 8-connected object component: the salient object, not background clutter GrabCut kept. */
export function keepLargestComponent(mask: Uint8Array, width: number, height: number): void {
  const components = findRunComponents(mask, { width, height }, { value: 1, connectivity: 8 });
  let largest = 0;
  for (let c = 1; c < components.count; c++) if (components.areas[c]! > components.areas[largest]!) largest = c;
  paintComponents(mask, width, components, Uint8Array.from(components.areas, (_, c) => (c === largest ? 0 : 1)), 0);
}
