import sharp from 'sharp';

/**
 * A photo-like JPEG of `size`² pixels: a shaded purple mug with a ring handle and a soft shadow
 * on a warm grey floor, the kind of product shot the generator is made for; or, `busy`, on a
 * wood-grain table (seeded fractal noise), which takes the generator's GrabCut path.
 */
export function productPhoto(size: number, background: 'plain' | 'busy' = 'plain'): Promise<Buffer> {
  const s = size / 512;
  const floor = background === 'plain' ? '<rect width="100%" height="100%" fill="#efeeea"/>' : woodFloor(s);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <defs>
      <linearGradient id="m" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#8a2be2"/><stop offset="0.5" stop-color="#d070ff"/><stop offset="1" stop-color="#7a22c8"/></linearGradient>
      <filter id="blur" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="${10 * s}"/></filter>
    </defs>
    ${floor}
    <ellipse cx="${230 * s}" cy="${430 * s}" rx="${150 * s}" ry="${18 * s}" fill="#8c8b88" filter="url(#blur)"/>
    <circle cx="${352 * s}" cy="${265 * s}" r="${62 * s}" fill="none" stroke="#8a2be2" stroke-width="${26 * s}"/>
    <path d="M ${110 * s} ${140 * s} L ${350 * s} ${140 * s} L ${350 * s} ${400 * s} Q ${350 * s} ${425 * s} ${325 * s} ${425 * s} L ${135 * s} ${425 * s} Q ${110 * s} ${425 * s} ${110 * s} ${400 * s} Z" fill="url(#m)"/>
    <ellipse cx="${230 * s}" cy="${140 * s}" rx="${120 * s}" ry="${14 * s}" fill="#6a3fd0"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

/** A wood-grain table (seeded fractal noise) filling an SVG drawn at `s` times 512 px. */
function woodFloor(s: number): string {
  return `<filter id="wood"><feTurbulence type="fractalNoise" baseFrequency="${0.006 / s} ${0.09 / s}" numOctaves="4" seed="7"/>
           <feColorMatrix values="1.3 0 0 0 0.02  0.9 0 0 0 0  0.45 0 0 0 0  0 0 0 0 1"/></filter>
         <rect width="100%" height="100%" filter="url(#wood)"/>`;
}

/** A small valid JPEG (64² pixels) for cases where the image's size does not matter. */
export function tinyPhoto(): Promise<Buffer> {
  return productPhoto(64);
}

/**
 * A real, decodable JPEG of exactly `bytes` bytes (camera-noise content, so it does not compress;
 * the few bytes short of the target are padding after the end-of-image marker, which decoders ignore).
 */
export async function jpegOfSize(bytes: number): Promise<Buffer> {
  const width = 2100;
  let height = Math.floor(bytes / 2.95 / width);
  for (let attempt = 0; attempt < 8; attempt++) {
    const jpeg = await sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 80 } } })
      .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
      .toBuffer();
    if (jpeg.length <= bytes) return Buffer.concat([jpeg, Buffer.alloc(bytes - jpeg.length)]);
    height = Math.floor(height * (bytes / jpeg.length) * 0.98);
  }
  throw new Error(`could not make a JPEG of at most ${bytes} bytes`);
}

/**
 * A carton photographed from its four sides, `size`² pixels each, as JPEGs on a warm grey floor:
 * wide front and back (different labels), narrow sides, each framed a little differently, as a
 * person walking round it would take them; or, `busy`, on the wood-grain table, which takes
 * GrabCut for every view. For the multiview generator.
 */
export async function cartonViews(size: number, background: 'plain' | 'busy' = 'plain'): Promise<{ front: Buffer; left: Buffer; back: Buffer; right: Buffer }> {
  const s = size / 512;
  const floor = background === 'plain' ? '<rect width="100%" height="100%" fill="#efeeea"/>' : woodFloor(s);
  const view = (width: number, height: number, top: number, fill: string, band: string): Promise<Buffer> => {
    const left = (size - width * s) / 2;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
      ${floor}
      <rect x="${left}" y="${top * s}" width="${width * s}" height="${height * s}" fill="${fill}"/>
      <rect x="${left}" y="${(top + height * 0.35) * s}" width="${width * s}" height="${height * 0.2 * s}" fill="${band}"/>
    </svg>`;
    return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
  };
  const [front, left, back, right] = await Promise.all([
    view(260, 380, 70, '#2f6fd2', '#1d3557'),
    view(150, 400, 60, '#285fb8', '#1d3557'),
    view(250, 366, 80, '#2c66c8', '#0b7a4b'),
    view(140, 372, 74, '#285fb8', '#1d3557'),
  ]);
  return { front, left, back, right };
}
