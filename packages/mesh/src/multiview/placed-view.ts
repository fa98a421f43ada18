import type { RgbaImage } from '../image/rgba-image.js';
import type { MaskBounds } from '../mask/mask-bounds.js';
import { VIEW_CAMERAS, type ViewName } from './view-cameras.js';

/**
 * One separated view placed in hull space. Views are aligned by their silhouettes' vertical
 * extents: the silhouette's top is y = 1 and its bottom y = 0 in every view, whatever its framing
 * or zoom, and its horizontal centre is the hull's axis. One hull unit is `scale` pixels.
 */
export interface PlacedView {
  /** Which side this view stands for. */
  name: ViewName;
  /** The photo it was taken from: its own, or the opposite side's standing in for a missing one. */
  source: ViewName;
  /** The hull axis that runs to the right in the photo, and its sign. */
  axis: 'x' | 'z';
  sign: 1 | -1;
  /** Unit vector from the object towards the camera. */
  towards: readonly [number, number, number];
  image: RgbaImage;
  /** 1 = object, per pixel of `image`. */
  mask: Uint8Array;
  bounds: MaskBounds;
  /** Pixels per hull unit: the silhouette's height in pixels. */
  scale: number;
  /** The silhouette's horizontal centre and its top edge, in continuous pixel coordinates. */
  centreX: number;
  top: number;
}

/** Places a separated view: its silhouette's height becomes one hull unit. */
export function placeView(name: ViewName, image: RgbaImage, mask: Uint8Array, bounds: MaskBounds): PlacedView {
  const { axis, sign, towards } = VIEW_CAMERAS[name];
  return {
    name,
    source: name,
    axis,
    sign,
    towards,
    image,
    mask,
    bounds,
    scale: bounds.maxY + 1 - bounds.minY,
    centreX: (bounds.minX + bounds.maxX + 1) / 2,
    top: bounds.minY,
  };
}

/**
 * A missing view stood in for by the opposite one: the photo from the other side, mirrored, is
 * the same picture as the opposite view seen through this side's camera. So the pixels map to the
 * hull as they do for the source; only the direction the camera looks from changes.
 */
export function standInView(name: ViewName, opposite: PlacedView): PlacedView {
  return { ...opposite, name, towards: VIEW_CAMERAS[name].towards };
}

/** Pixel column (continuous) of a point at `a` along the view's axis. */
export function pixelX(view: PlacedView, a: number): number {
  return view.centreX + view.sign * a * view.scale;
}

/** Pixel row (continuous) of height y. */
export function pixelY(view: PlacedView, y: number): number {
  return view.top + (1 - y) * view.scale;
}

/** Hull coordinate along the view's axis of pixel column `x` (continuous). */
export function axisAt(view: PlacedView, x: number): number {
  return (view.sign * (x - view.centreX)) / view.scale;
}

/** Half the silhouette's width in hull units. */
export function halfWidth(view: PlacedView): number {
  return (view.bounds.maxX + 1 - view.bounds.minX) / view.scale / 2;
}
