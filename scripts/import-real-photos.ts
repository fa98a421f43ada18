/**
 * Copies the real photographs of the gallery's "real photos" section from scikit-image's sample
 * data (Debian's `python3-skimage`, `apt-get install -y python3-skimage`) into
 * docs/gallery/real-photos/, shrunk to 512 pixels on the long side and re-encoded as JPEG, so the
 * gallery regenerates without the package. Their sources and licences: docs/gallery/real-photos/README.md.
 * Run once by hand; the copies are committed:
 *
 *   npx tsx scripts/import-real-photos.ts [path/to/skimage/data]
 */
import { mkdir } from 'node:fs/promises';
import sharp from 'sharp';

import { REAL_PHOTOS } from './real-photos.js';

const SOURCE = process.argv[2] ?? '/usr/lib/python3/dist-packages/skimage/data';
const TARGET = new URL('../docs/gallery/real-photos/', import.meta.url);
const LONG_SIDE = 512;

await mkdir(TARGET, { recursive: true });
for (const photo of REAL_PHOTOS) {
  const target = new URL(`${photo.name}.jpg`, TARGET);
  // Flattened on white: a copy with an alpha channel would be a cut-out, not a photo.
  await sharp(`${SOURCE}/${photo.source}`)
    .flatten({ background: '#ffffff' })
    .resize(LONG_SIDE, LONG_SIDE, { fit: 'inside' })
    .jpeg({ quality: 85 })
    .toFile(target.pathname);
  console.log(`${photo.source} -> ${target.pathname}`);
}
