import { finishTexture, type Texture } from '../texture/build-texture.js';
import { pixelX, pixelY, type PlacedView } from './placed-view.js';
import type { Unwrapped } from './unwrap-cylinder.js';


export interface BakeInput {
  views: readonly PlacedView[];
  /** Hull-space positions and unit normals of the hull's vertices (before unwrapping). */
  positions: Float64Array;
  normals: Float32Array;
  unwrapped: Unwrapped;
  width: number;
  height: number;
}

/**
 * Bakes the texture from every view: each texel is a point on the surface (rasterised in texture
 * space), coloured by the views that see it, each weighted by how squarely it looks at it, so a
 * face takes its colour from the view that sees it most squarely and seams blend. Texels no
 * triangle covers, or that no view sees, are filled with bled colour.
 */
export async function bakeTexture(input: BakeInput): Promise<Texture> {
  const { width, height, unwrapped } = input;
  const target: BakeTarget = {
    samplers: input.views.map(toSampler),
    rgb: new Float32Array(width * height * 3),
    weights: new Float32Array(width * height),
    width,
    height,
    corners: new Float64Array(3 * CORNER_VALUES),
    point: new Float64Array(3),
    normal: new Float64Array(3),
    colour: new Float64Array(3),
  };
  const { indices, uvs, source } = unwrapped;
  for (let t = 0; t < indices.length; t += 3) {
    for (let c = 0; c < 3; c++) {
      const vertex = indices[t + c]!;
      const hull = source[vertex]! * 3;
      const base = c * CORNER_VALUES;
      target.corners[base] = uvs[vertex * 2]! * width;
      target.corners[base + 1] = uvs[vertex * 2 + 1]! * height;
      for (let axis = 0; axis < 3; axis++) {
        target.corners[base + 2 + axis] = input.positions[hull + axis]!;
        target.corners[base + 5 + axis] = input.normals[hull + axis]!;
      }
    }
    rasteriseTriangle(target);
  }
  return finishTexture(target.rgb, target.weights, width, height);
}

/** Per triangle corner: texel x, texel y, position xyz, normal xyz. */
const CORNER_VALUES = 8;

interface BakeTarget {
  samplers: readonly ViewSampler[];
  rgb: Float32Array;
  weights: Float32Array;
  width: number;
  height: number;
  /** The triangle being rasterised, CORNER_VALUES per corner; and scratch for one texel. */
  corners: Float64Array;
  point: Float64Array;
  normal: Float64Array;
  colour: Float64Array;
}

/** Colours every texel whose centre lies in the triangle (edges included, so neighbours leave no gap). */
function rasteriseTriangle(target: BakeTarget): void {
  const { corners, point, normal, colour } = target;
  const x0 = corners[0]!, y0 = corners[1]!;
  const x1 = corners[CORNER_VALUES]!, y1 = corners[CORNER_VALUES + 1]!;
  const x2 = corners[2 * CORNER_VALUES]!, y2 = corners[2 * CORNER_VALUES + 1]!;
  const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
  if (Math.abs(area) < 1e-9) return;
  const minX = Math.max(0, Math.floor(Math.min(x0, x1, x2) - 0.5)), maxX = Math.min(target.width - 1, Math.ceil(Math.max(x0, x1, x2) - 0.5));
  const minY = Math.max(0, Math.floor(Math.min(y0, y1, y2) - 0.5)), maxY = Math.min(target.height - 1, Math.ceil(Math.max(y0, y1, y2) - 0.5));
  // Barycentric weights are affine in the texel position: w = base + dx·x + dy·y.
  const w0x = (y1 - y2) / area, w0y = (x2 - x1) / area, w0c = (x1 * y2 - x2 * y1) / area;
  const w1x = (y2 - y0) / area, w1y = (x0 - x2) / area, w1c = (x2 * y0 - x0 * y2) / area;
  for (let ty = minY; ty <= maxY; ty++) {
    const py = ty + 0.5;
    // The span of this row inside the triangle: where each weight, affine in x, is ≥ 0.
    const a0 = w0c + w0y * py, a1 = w1c + w1y * py;
    const span = { from: minX, to: maxX };
    clipSpan(span, a0, w0x);
    clipSpan(span, a1, w1x);
    clipSpan(span, 1 - a0 - a1, -w0x - w1x);
    for (let tx = span.from; tx <= span.to; tx++) {
      const px = tx + 0.5;
      const w0 = a0 + w0x * px;
      const w1 = a1 + w1x * px;
      const w2 = 1 - w0 - w1;
      if (w0 < -EDGE_TOLERANCE || w1 < -EDGE_TOLERANCE || w2 < -EDGE_TOLERANCE) continue;
      for (let axis = 0; axis < 3; axis++) {
        point[axis] = w0 * corners[2 + axis]! + w1 * corners[CORNER_VALUES + 2 + axis]! + w2 * corners[2 * CORNER_VALUES + 2 + axis]!;
        normal[axis] = w0 * corners[5 + axis]! + w1 * corners[CORNER_VALUES + 5 + axis]! + w2 * corners[2 * CORNER_VALUES + 5 + axis]!;
      }
      // Math.hypot is several times slower than this in V8, and this runs per texel.
      const length = Math.sqrt(normal[0]! * normal[0]! + normal[1]! * normal[1]! + normal[2]! * normal[2]!) || 1;
      normal[0]! /= length;
      normal[1]! /= length;
      normal[2]! /= length;
      if (colourFromViews(target.samplers, point, normal, colour) === 0) continue;
      const texel = ty * target.width + tx;
      target.rgb[texel * 3] = colour[0]!;
      target.rgb[texel * 3 + 1] = colour[1]!;
      target.rgb[texel * 3 + 2] = colour[2]!;
      target.weights[texel] = 1;
    }
  }
}

/** Texel centres this far (in barycentric weight) outside a triangle still count, so neighbours leave no gap. */
const EDGE_TOLERANCE = 1e-6;

/** Narrows the texel columns [from, to] to those whose centre x + 0.5 has base + slope·(x + 0.5) ≥ −EDGE_TOLERANCE. */
function clipSpan(span: { from: number; to: number }, base: number, slope: number): void {
  if (slope === 0) {
    if (base < -EDGE_TOLERANCE) span.to = span.from - 1;
    return;
  }
  const edge = (-EDGE_TOLERANCE - base) / slope - 0.5;
  if (slope > 0) span.from = Math.max(span.from, Math.ceil(edge));
  else span.to = Math.min(span.to, Math.floor(edge));
}

/** A view reduced to the numbers sampling needs, every one the same shape (fast in V8's inner loop). */
interface ViewSampler {
  towardsX: number;
  towardsY: number;
  towardsZ: number;
  /** Whether the photo's horizontal shows x (else z). */
  showsX: boolean;
  centreX: number;
  /** Pixels per hull unit to the right in the photo (negative when the axis runs left). */
  step: number;
  top: number;
  scale: number;
  width: number;
  height: number;
  mask: Uint8Array;
  data: Uint8Array;
}

function toSampler(view: PlacedView): ViewSampler {
  return {
    towardsX: view.towards[0],
    towardsY: view.towards[1],
    towardsZ: view.towards[2],
    showsX: view.axis === 'x',
    centreX: pixelX(view, 0),
    step: pixelX(view, 1) - pixelX(view, 0),
    top: pixelY(view, 1),
    scale: view.scale,
    width: view.image.width,
    height: view.image.height,
    mask: view.mask,
    data: view.image.data,
  };
}

/** The blend of every view that sees the point, into `colour`; returns the total weight (0: none sees it). */
function colourFromViews(views: readonly ViewSampler[], point: Float64Array, normal: Float64Array, colour: Float64Array): number {
  colour[0] = colour[1] = colour[2] = 0;
  let total = 0;
  for (let v = 0; v < views.length; v++) {
    const view = views[v]!;
    const facing = normal[0]! * view.towardsX + normal[1]! * view.towardsY + normal[2]! * view.towardsZ;
    if (facing <= 0) continue;
    const x = view.centreX + view.step * (view.showsX ? point[0]! : point[2]!);
    const y = view.top + (1 - point[1]!) * view.scale;
    if (!seesObjectCore(view, x, y)) continue;
    const squared = facing * facing;
    // cos⁴ of the angle to the camera: a face 30° off the front takes 90 % of its colour from
    // the front, one at 45° half from each of the two views that see it.
    const weight = squared * squared;
    addBilinear(view, x, y, weight, colour);
    total += weight;
  }
  if (total === 0) return 0;
  colour[0]! /= total;
  colour[1]! /= total;
  colour[2]! /= total;
  return total;
}

/**
 * Whether the pixel and its four neighbours are object: a pixel on the silhouette's rim carries
 * background into the colour, so it is left out and its texel filled by bleeding, as the
 * single-view texture leaves out its fringe.
 */
function seesObjectCore(view: ViewSampler, x: number, y: number): boolean {
  const { width, height } = view;
  const column = Math.floor(x), row = Math.floor(y);
  if (column < 1 || row < 1 || column >= width - 1 || row >= height - 1) return false;
  const { mask } = view;
  const pixel = row * width + column;
  return mask[pixel] !== 0 && mask[pixel - 1] !== 0 && mask[pixel + 1] !== 0 && mask[pixel - width] !== 0 && mask[pixel + width] !== 0;
}

/** Adds `weight` times the bilinearly sampled colour at (x, y) to `colour`; (x, y) is at least a pixel inside the image. */
function addBilinear(view: ViewSampler, x: number, y: number, weight: number, colour: Float64Array): void {
  const { width, data } = view;
  const u = x - 0.5, v = y - 0.5;
  const x0 = Math.floor(u), y0 = Math.floor(v);
  const tx = u - x0, ty = v - y0;
  const a = (y0 * width + x0) * 4, b = a + 4, c = a + width * 4, d = c + 4;
  const wa = weight * (1 - tx) * (1 - ty), wb = weight * tx * (1 - ty), wc = weight * (1 - tx) * ty, wd = weight * tx * ty;
  colour[0]! += wa * data[a]! + wb * data[b]! + wc * data[c]! + wd * data[d]!;
  colour[1]! += wa * data[a + 1]! + wb * data[b + 1]! + wc * data[c + 1]! + wd * data[d + 1]!;
  colour[2]! += wa * data[a + 2]! + wb * data[b + 2]! + wc * data[c + 2]! + wd * data[d + 2]!;
}
