import type { MaskBounds } from '../mask/mask-bounds.js';

/** A regular grid of nodes over the image, `spacing` pixels apart. */
export interface MarchGrid {
  spacing: number;
  /** Image coordinates of the first node. */
  originX: number;
  originY: number;
  columns: number;
  rows: number;
}

/** The grid never gets coarser than this many cells along the working image's long side, so thin parts survive to the simplifier. */
const MIN_CELLS_PER_LONG_SIDE = 128;
/** Nor fewer than this many cells across the object's short side. */
const MIN_CELLS_ACROSS_OBJECT = 4;
/** Nor finer than a pixel: sub-pixel cells add triangles but no detail. */
const MIN_SPACING = 1;

/**
 * A grid over the object with about `triangles / 4` cells inside it (each inside cell gives two
 * triangles on each sheet), centred on its bounds and one cell beyond them on every side.
 */
export function planGrid(bounds: MaskBounds, imageLongSide: number, triangles: number): MarchGrid {
  const objectWidth = bounds.maxX - bounds.minX + 1;
  const objectHeight = bounds.maxY - bounds.minY + 1;
  const finest = Math.min(MIN_SPACING, Math.min(objectWidth, objectHeight) / MIN_CELLS_ACROSS_OBJECT);
  const coarsest = Math.max(finest, Math.min(imageLongSide / MIN_CELLS_PER_LONG_SIDE, Math.min(objectWidth, objectHeight) / MIN_CELLS_ACROSS_OBJECT));
  return gridWithSpacing(bounds, Math.min(coarsest, Math.max(finest, Math.sqrt((4 * bounds.area) / triangles))));
}

export function gridWithSpacing(bounds: MaskBounds, spacing: number): MarchGrid {
  const objectWidth = bounds.maxX - bounds.minX + 1;
  const objectHeight = bounds.maxY - bounds.minY + 1;
  const columns = Math.ceil(objectWidth / spacing) + 3;
  const rows = Math.ceil(objectHeight / spacing) + 3;
  return {
    spacing,
    columns,
    rows,
    originX: bounds.minX + objectWidth / 2 - ((columns - 1) * spacing) / 2,
    originY: bounds.minY + objectHeight / 2 - ((rows - 1) * spacing) / 2,
  };
}

/**
 * How far beyond the object the signed field must be exact: the grid reaches about two of its
 * coarsest cells past the object, and rim vertices interpolate the field along those cells.
 */
export function fieldMargin(imageLongSide: number): number {
  return Math.ceil((2 * imageLongSide) / MIN_CELLS_PER_LONG_SIDE) + 2;
}
