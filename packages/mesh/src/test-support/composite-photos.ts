import { readFile } from 'node:fs/promises';

import sharp from 'sharp';

/**
 * The segmentation test set: objects of known shape, textured and shaded, with a soft shadow,
 * composited onto crops of real photographs (backgrounds/, see its README for their sources and
 * licences). The truth mask is the object's own silhouette, so the segmentation can be scored.
 */
export const COMPOSITE_SIZE = 512;

export const BACKGROUNDS = ['wood-coffee', 'sofa-chelsea', 'sky-rocket', 'flag-astronaut', 'gravel'] as const;

interface Shape {
  /** SVG elements drawing the silhouette with `fill`/`stroke` set to FILL. */
  body: string;
  /** The shadow's ellipse under the object: cx, cy, rx, ry. */
  shadow: [number, number, number, number];
}

const FILL = '__FILL__';

export const SHAPES = {
  mug: {
    body: `<circle cx="340" cy="270" r="48" fill="none" stroke="${FILL}" stroke-width="22"/><rect x="160" y="160" width="170" height="220" rx="14" fill="${FILL}"/>`,
    shadow: [250, 385, 130, 16],
  },
  bottle: {
    body: `<path d="M232 90 h48 v70 c0 30 60 40 60 90 v160 c0 14 -10 20 -20 20 h-128 c-10 0 -20 -6 -20 -20 v-160 c0 -50 60 -60 60 -90 z" fill="${FILL}"/>`,
    shadow: [256, 432, 110, 14],
  },
  star: {
    body: `<path d="M256 96 L293 204 L406 206 L316 274 L349 384 L256 318 L163 384 L196 274 L106 206 L219 204 Z" fill="${FILL}"/>`,
    shadow: [256, 392, 120, 14],
  },
  ball: {
    body: `<circle cx="256" cy="250" r="125" fill="${FILL}"/>`,
    shadow: [256, 380, 120, 18],
  },
  vase: {
    body: `<path d="M216 110 h80 c0 40 -20 50 -20 80 c0 40 70 70 70 150 c0 40 -30 60 -50 60 h-80 c-20 0 -50 -20 -50 -60 c0 -80 70 -110 70 -150 c0 -30 -20 -40 -20 -80 z" fill="${FILL}"/>`,
    shadow: [256, 402, 110, 14],
  },
  bracket: {
    body: `<path d="M150 120 h70 v190 h150 v70 h-220 z" fill="${FILL}"/>`,
    shadow: [265, 386, 130, 14],
  },
} satisfies Record<string, Shape>;

export type ShapeName = keyof typeof SHAPES;

/** Object colours (base, pattern) cycled over the set so each background meets several. */
const PALETTE: [string, string][] = [
  ['#2a9d8f', '#1d6d63'],
  ['#e76f51', '#b04a31'],
  ['#6a4c93', '#4a3268'],
  ['#f4d35e', '#c9a532'],
  ['#3a86ff', '#2058b8'],
  ['#f1faee', '#c5d0c8'],
];

export interface Composite {
  name: string;
  /** The composited photo, PNG. */
  photo: Buffer;
  /** 1 = object, COMPOSITE_SIZE² pixels. */
  truth: Uint8Array;
}

export async function compositePhoto(shape: ShapeName, background: (typeof BACKGROUNDS)[number], colourIndex: number): Promise<Composite> {
  const { body, shadow } = SHAPES[shape];
  const [base, pattern] = PALETTE[colourIndex % PALETTE.length]!;
  const [cx, cy, rx, ry] = shadow;
  const drawing = svg(`
    <defs>
      <pattern id="texture" width="18" height="18" patternUnits="userSpaceOnUse" patternTransform="rotate(30)">
        <rect width="18" height="18" fill="${base}"/><circle cx="5" cy="5" r="3" fill="${pattern}"/><rect y="12" width="18" height="2" fill="${pattern}"/>
      </pattern>
      <radialGradient id="shade" cx="0.35" cy="0.3" r="0.8">
        <stop offset="0" stop-color="#fff" stop-opacity="0.35"/><stop offset="0.5" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.35"/>
      </radialGradient>
      <filter id="blur" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="9"/></filter>
    </defs>
    <ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${ry}" fill="#000" fill-opacity="0.45" filter="url(#blur)"/>
    ${body.replaceAll(FILL, 'url(#texture)')}
    ${body.replaceAll(FILL, 'url(#shade)')}`);
  const backdrop = await backgroundPhoto(background);
  const photo = await sharp(backdrop).composite([{ input: await sharp(Buffer.from(drawing)).png().toBuffer() }]).png().toBuffer();
  const silhouette = await sharp(Buffer.from(svg(body.replaceAll(FILL, '#fff'))))
    .extractChannel(3)
    .raw()
    .toBuffer();
  return { name: `${shape} on ${background}`, photo, truth: Uint8Array.from(silhouette, (alpha) => (alpha >= 128 ? 1 : 0)) };
}

/** A background alone, at `size`² (PNG): a busy photo with no object in front of it. */
export async function backgroundPhoto(background: (typeof BACKGROUNDS)[number], size = COMPOSITE_SIZE): Promise<Buffer> {
  return sharp(await readFile(new URL(`backgrounds/${background}.jpg`, import.meta.url)))
    .resize(size, size, { fit: 'cover' })
    .png()
    .toBuffer();
}

/** Every shape on every background, colours cycled. */
export function compositeSet(): Promise<Composite[]> {
  const shapes = Object.keys(SHAPES) as ShapeName[];
  return Promise.all(BACKGROUNDS.flatMap((background, b) => shapes.map((shape, s) => compositePhoto(shape, background, s + b))));
}

/** Intersection over union of two masks of the same size. */
export function maskIou(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    both += a[i]! & b[i]!;
    either += a[i]! | b[i]!;
  }
  return either === 0 ? 1 : both / either;
}

function svg(body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${COMPOSITE_SIZE}" height="${COMPOSITE_SIZE}">${body}</svg>`;
}
