import sharp from 'sharp';

import type { ViewName } from '../multiview/view-cameras.js';

/**
 * Synthetic solids photographed from four sides: orthographic renders of unions of boxes and
 * upright cylinders, in hull space (x towards the object's left = the viewer's right from the
 * front, y up, z towards the front camera), each part painted its own colour with a checker
 * pattern so the texture has something to show.
 */
export type Part =
  | { kind: 'box'; min: [number, number, number]; max: [number, number, number]; colour: [number, number, number] }
  | { kind: 'cylinder'; centre: [number, number]; radius: number; y: [number, number]; colour: [number, number, number] };

export interface SyntheticObject {
  name: string;
  parts: Part[];
  /** Exact width (x), height (y), depth (z) and volume, for comparison with the model. */
  size: [number, number, number];
  volume: number;
}

export function box(): SyntheticObject {
  return { name: 'box', parts: [{ kind: 'box', min: [-0.5, 0, -0.3], max: [0.5, 1.4, 0.3], colour: [200, 80, 60] }], size: [1, 1.4, 0.6], volume: 1 * 1.4 * 0.6 };
}

export function cylinder(): SyntheticObject {
  const radius = 0.4;
  return {
    name: 'cylinder',
    parts: [{ kind: 'cylinder', centre: [0, 0], radius, y: [0, 1.1], colour: [70, 120, 200] }],
    size: [0.8, 1.1, 0.8],
    volume: Math.PI * radius * radius * 1.1,
  };
}

/** An L seen from the front: an upright on the viewer's left (−x) and a foot to the right, 0.5 deep. */
export function lBlock(): SyntheticObject {
  return {
    name: 'L-block',
    parts: [
      { kind: 'box', min: [-0.6, 0, -0.25], max: [-0.2, 1.2, 0.25], colour: [90, 170, 90] },
      { kind: 'box', min: [-0.2, 0, -0.25], max: [0.6, 0.4, 0.25], colour: [230, 190, 60] },
    ],
    size: [1.2, 1.2, 0.5],
    volume: 0.4 * 1.2 * 0.5 + 0.8 * 0.4 * 0.5,
  };
}

/**
 * Asymmetric every way, for handedness: a grey body, its left side (+x) red and its right side
 * (−x) blue, a nose that sticks out of the front (+z) in the upper half only, and a fin on the
 * left (+x) in the lower half only.
 */
export function asymmetricBlock(): SyntheticObject {
  return {
    name: 'asymmetric block',
    parts: [
      { kind: 'box', min: [-0.4, 0, -0.3], max: [0.4, 1.2, 0.3], colour: [150, 150, 150] },
      { kind: 'box', min: [0.4, 0, -0.3], max: [0.45, 1.2, 0.3], colour: [220, 30, 30] },
      { kind: 'box', min: [-0.45, 0, -0.3], max: [-0.4, 1.2, 0.3], colour: [30, 30, 220] },
      { kind: 'box', min: [-0.2, 0.7, 0.3], max: [0.2, 1.0, 0.7], colour: [150, 150, 150] },
      { kind: 'box', min: [0.45, 0.1, -0.1], max: [0.85, 0.4, 0.1], colour: [220, 30, 30] },
    ],
    size: [1.3, 1.2, 1.0],
    volume: 0.9 * 1.2 * 0.6 + 0.4 * 0.3 * 0.4 + 0.4 * 0.3 * 0.2,
  };
}

export interface Framing {
  /** Pixels per unit, and where the object's origin (x = z = 0, y = 0) lands in the image. */
  scale: number;
  originX: number;
  originY: number;
  size: number;
  /** Transparent (the alpha path) or a plain colour (the flood path). */
  background: 'transparent' | [number, number, number];
}

const CAMERA: Record<ViewName, { right: [number, number]; towards: [number, number] }> = {
  // [x, z] of the image's right and of the direction towards the camera.
  front: { right: [1, 0], towards: [0, 1] },
  back: { right: [-1, 0], towards: [0, -1] },
  left: { right: [0, -1], towards: [1, 0] },
  right: { right: [0, 1], towards: [-1, 0] },
};

/** An orthographic PNG of the object from one side: each pixel the nearest part along its ray. */
export async function renderView(object: SyntheticObject, view: ViewName, framing: Framing): Promise<Buffer> {
  const { size, scale, originX, originY } = framing;
  const { right, towards } = CAMERA[view];
  const data = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const a = (px + 0.5 - originX) / scale;
      const y = (originY - py - 0.5) / scale;
      const hit = nearestHit(object.parts, { x: right[0] * a, z: right[1] * a, dx: -towards[0], dz: -towards[1], y });
      const pixel = (py * size + px) * 4;
      if (hit) {
        const checker = (Math.floor(a * 10 + 100) + Math.floor(y * 10 + 100)) % 2 === 0 ? 1 : 0.8;
        data.set([hit[0] * checker, hit[1] * checker, hit[2] * checker, 255], pixel);
      } else if (framing.background !== 'transparent') {
        data.set([...framing.background, 255], pixel);
      }
    }
  }
  return sharp(data, { raw: { width: size, height: size, channels: 4 } }).png().toBuffer();
}

/** Renders all four sides, each framed differently (zoom and position), as a user would. */
export async function renderFourViews(object: SyntheticObject, background: Framing['background'] = 'transparent'): Promise<Record<ViewName, Buffer>> {
  const framings: Record<ViewName, Omit<Framing, 'background'>> = {
    front: { size: 512, scale: 280, originX: 256, originY: 470 },
    left: { size: 512, scale: 260, originX: 240, originY: 430 },
    back: { size: 480, scale: 280, originX: 250, originY: 450 },
    right: { size: 512, scale: 320, originX: 270, originY: 490 },
  };
  const entries = await Promise.all(
    (Object.keys(framings) as ViewName[]).map(async (view) => [view, await renderView(object, view, { ...framings[view], background })] as const),
  );
  return Object.fromEntries(entries) as Record<ViewName, Buffer>;
}

interface Ray {
  /** Any point on the ray's line (the ray runs along dx, dz at height y). */
  x: number;
  z: number;
  y: number;
  dx: number;
  dz: number;
}

function nearestHit(parts: Part[], ray: Ray): [number, number, number] | null {
  let best = Infinity;
  let colour: [number, number, number] | null = null;
  for (const part of parts) {
    const t = part.kind === 'box' ? hitBox(part, ray) : hitCylinder(part, ray);
    if (t !== null && t < best) {
      best = t;
      colour = part.colour;
    }
  }
  return colour;
}

/** Entry parameter of the (unbounded both ways) ray into a box, or null. */
function hitBox(part: Extract<Part, { kind: 'box' }>, ray: Ray): number | null {
  if (ray.y < part.min[1] || ray.y > part.max[1]) return null;
  let enter = -Infinity, leave = Infinity;
  for (const [origin, direction, low, high] of [
    [ray.x, ray.dx, part.min[0], part.max[0]],
    [ray.z, ray.dz, part.min[2], part.max[2]],
  ] as const) {
    if (direction === 0) {
      if (origin < low || origin > high) return null;
      continue;
    }
    const t1 = (low - origin) / direction, t2 = (high - origin) / direction;
    enter = Math.max(enter, Math.min(t1, t2));
    leave = Math.min(leave, Math.max(t1, t2));
  }
  return enter <= leave ? enter : null;
}

function hitCylinder(part: Extract<Part, { kind: 'cylinder' }>, ray: Ray): number | null {
  if (ray.y < part.y[0] || ray.y > part.y[1]) return null;
  const ox = ray.x - part.centre[0], oz = ray.z - part.centre[1];
  // |o + t d|² = r², d unit: t² + 2 (o·d) t + |o|² − r² = 0.
  const b = ox * ray.dx + oz * ray.dz;
  const c = ox * ox + oz * oz - part.radius * part.radius;
  const discriminant = b * b - c;
  return discriminant < 0 ? null : -b - Math.sqrt(discriminant);
}
