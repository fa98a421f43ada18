import sharp from 'sharp';

import { WORKING_MAX_EDGE } from '../image/decode-photo.js';

/**
 * A mug-like drawing (body, handle hole, shadow) that runs every stage of the generator once, at
 * full working size so the scratch memory a real photo needs is already mapped afterwards.
 */
export function drawWarmUpPhoto(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="192" height="192">
    <rect width="192" height="192" fill="#f2f1ee"/>
    <ellipse cx="90" cy="160" rx="60" ry="8" fill="#aaa9a6"/>
    <circle cx="132" cy="96" r="24" fill="none" stroke="#7b3fc4" stroke-width="10"/>
    <rect x="40" y="48" width="92" height="108" rx="10" fill="#9b5fe4"/>
  </svg>`;
  return sharp(Buffer.from(svg), { density: (72 * WORKING_MAX_EDGE) / 192 }).png().toBuffer();
}
