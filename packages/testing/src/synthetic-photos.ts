import sharp from 'sharp';

import { seededRandom } from './seeded-random.js';

/**
 * Synthetic product photos drawn from SVG, for tests and benchmarks: each stresses one part of the
 * generator (thin arms, alpha, a hole and a shadow, white on white, a busy background).
 * Deterministic: no randomness beyond a fixed-seed generator.
 */

/** An orange star with dots and a green "3D" badge, on white: thin pointed parts, a pure background. */
export function starOnWhite(size = 512): Promise<Buffer> {
  const s = size / 512;
  const points = Array.from({ length: 10 }, (_, i) => {
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    const radius = (i % 2 === 0 ? 230 : 95) * s;
    return `${(256 * s + radius * Math.cos(angle)).toFixed(2)},${(270 * s + radius * Math.sin(angle)).toFixed(2)}`;
  }).join(' ');
  const dots = Array.from({ length: 100 }, (_, i) => `<circle cx="${(40 + (i % 10) * 48) * s}" cy="${(40 + Math.floor(i / 10) * 48) * s}" r="${4 * s}" fill="#6f8fb8"/>`).join('');
  return svgToPng(size, size, `
    <defs>
      <linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#ffb000"/><stop offset="1" stop-color="#e0402a"/></linearGradient>
      <clipPath id="c"><polygon points="${points}"/></clipPath>
    </defs>
    <rect width="100%" height="100%" fill="#ffffff"/>
    <polygon points="${points}" fill="url(#g)"/>
    <g clip-path="url(#c)">${dots}</g>
    <circle cx="${256 * s}" cy="${275 * s}" r="${48 * s}" fill="#2e7d32"/>
    <text x="${256 * s}" y="${290 * s}" font-family="sans-serif" font-size="${40 * s}" fill="#ffffff" text-anchor="middle">3D</text>`);
}

/** A teal bottle with a red cap and a white "AQUA" label on a transparent background (PNG with alpha). */
export function bottleWithAlpha(size = 512): Promise<Buffer> {
  const s = size / 512;
  return svgToPng(size, size, `
    <defs><linearGradient id="b" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#126a78"/><stop offset="0.4" stop-color="#35c0cf"/><stop offset="1" stop-color="#0d5560"/></linearGradient></defs>
    <rect x="${226 * s}" y="${40 * s}" width="${60 * s}" height="${34 * s}" rx="${6 * s}" fill="#d9262b"/>
    <path d="M ${234 * s} ${74 * s} L ${278 * s} ${74 * s} L ${278 * s} ${150 * s} Q ${350 * s} ${180 * s} ${350 * s} ${250 * s} L ${350 * s} ${450 * s} Q ${350 * s} ${472 * s} ${328 * s} ${472 * s} L ${184 * s} ${472 * s} Q ${162 * s} ${472 * s} ${162 * s} ${450 * s} L ${162 * s} ${250 * s} Q ${162 * s} ${180 * s} ${234 * s} ${150 * s} Z" fill="url(#b)"/>
    <rect x="${180 * s}" y="${290 * s}" width="${152 * s}" height="${110 * s}" fill="#ffffff"/>
    <text x="${256 * s}" y="${345 * s}" font-family="serif" font-size="${34 * s}" fill="#222" text-anchor="middle">AQUA</text>
    <text x="${256 * s}" y="${375 * s}" font-family="sans-serif" font-size="${14 * s}" fill="#444" text-anchor="middle">mineral water</text>`);
}

/** A purple mug with a ring handle (a real hole) and a soft grey shadow, on a light warm grey. */
export function mugWithShadow(size = 512): Promise<Buffer> {
  const s = size / 512;
  return svgToPng(size, size, `
    <defs>
      <linearGradient id="m" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#8a2be2"/><stop offset="0.5" stop-color="#d070ff"/><stop offset="1" stop-color="#7a22c8"/></linearGradient>
      <filter id="blur" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="${10 * s}"/></filter>
    </defs>
    <rect width="100%" height="100%" fill="#efeeea"/>
    <ellipse cx="${230 * s}" cy="${430 * s}" rx="${150 * s}" ry="${18 * s}" fill="#8c8b88" filter="url(#blur)"/>
    <circle cx="${352 * s}" cy="${265 * s}" r="${62 * s}" fill="none" stroke="#8a2be2" stroke-width="${26 * s}"/>
    <path d="M ${110 * s} ${140 * s} L ${350 * s} ${140 * s} L ${350 * s} ${400 * s} Q ${350 * s} ${425 * s} ${325 * s} ${425 * s} L ${135 * s} ${425 * s} Q ${110 * s} ${425 * s} ${110 * s} ${400 * s} Z" fill="url(#m)"/>
    <ellipse cx="${230 * s}" cy="${140 * s}" rx="${120 * s}" ry="${14 * s}" fill="#6a3fd0"/>
    <text x="${230 * s}" y="${290 * s}" font-family="sans-serif" font-size="${44 * s}" fill="#eeeeee" text-anchor="middle">MUG</text>`);
}

/** A white label with a thin grey outline and dark text, on white: white-on-white separation. */
export function whiteLabelOnWhite(size = 512): Promise<Buffer> {
  const s = size / 512;
  return svgToPng(size, size, `
    <defs><filter id="blur" x="-20%" y="-20%" width="140%" height="140%"><feGaussianBlur stdDeviation="${4 * s}"/></filter></defs>
    <rect width="100%" height="100%" fill="#ffffff"/>
    <rect x="${106 * s}" y="${136 * s}" width="${300 * s}" height="${230 * s}" rx="${16 * s}" fill="#c8c8c8" filter="url(#blur)"/>
    <rect x="${100 * s}" y="${130 * s}" width="${300 * s}" height="${230 * s}" rx="${16 * s}" fill="#ffffff" stroke="#9a9a9a" stroke-width="${3 * s}"/>
    <text x="${250 * s}" y="${230 * s}" font-family="serif" font-size="${48 * s}" fill="#1b1b1b" text-anchor="middle">LABEL</text>
    <text x="${250 * s}" y="${280 * s}" font-family="sans-serif" font-size="${20 * s}" fill="#555555" text-anchor="middle">white on white</text>`);
}

/** A small blue disk in front of colourful stripes and per-pixel noise: no background to separate. */
export async function busyBackground(size = 512): Promise<Buffer> {
  const s = size / 512;
  const stripes = Array.from({ length: 24 }, (_, i) => `<rect x="${i * 24 * s}" y="0" width="${12 * s}" height="100%" fill="${['#e53935', '#43a047', '#1e88e5', '#fdd835'][i % 4]}" transform="rotate(20 ${size / 2} ${size / 2})"/>`).join('');
  const drawing = await sharp(Buffer.from(svg(size, size, `
    <rect width="100%" height="100%" fill="#777777"/>${stripes}
    <circle cx="${256 * s}" cy="${256 * s}" r="${90 * s}" fill="#1040a0"/>`))).raw().toBuffer();
  const random = seededRandom(42);
  for (let i = 0; i < drawing.length; i++) drawing[i] = Math.max(0, Math.min(255, drawing[i]! + Math.round((random() - 0.5) * 120)));
  return sharp(drawing, { raw: { width: size, height: size, channels: 4 } }).png().toBuffer();
}

/** A plain-colour image of any size (e.g. 1×1), as PNG. */
export function solidImage(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

function svg(width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`;
}

function svgToPng(width: number, height: number, body: string): Promise<Buffer> {
  return sharp(Buffer.from(svg(width, height, body))).png().toBuffer();
}
