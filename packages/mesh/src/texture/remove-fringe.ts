import type { SignedField } from '../field/signed-distance.js';
import type { RgbaImage } from '../image/rgba-image.js';

/** How deep into the object a fringe can reach, as a share of the image's long side (a vignette, a dark outline). */
const FRINGE_DEPTH_SHARE = 0.03;
/**
 * A rim pixel is fringe while its colour, projected on the line from the background's colour to
 * the object's typical colour, lies less than this share of the way to the object's.
 */
const FRINGE_SHARE = 0.8;
/** Below this RGB distance between object and background the two cannot be told apart by colour: nothing is removed. */
const MIN_CONTRAST = 48;

/**
 * Withdraws trust, in place, from rim pixels that carry the background's colour into the object:
 * the dark vignette of a fundus photo on black, a coloured halo, an outline. The texture's colour
 * bleeding then fills them from the object's own colour further in, so the model's rim does not
 * wear a dark band. The fringe is grown from the silhouette inwards, through pixels still closer
 * to the background's colour, and at most FRINGE_DEPTH_SHARE deep: dark details further in, or
 * not reached from the edge that way, stay.
 */
export function removeFringe(trusted: Uint8Array, field: SignedField, image: RgbaImage): void {
  const depthSquared = (FRINGE_DEPTH_SHARE * Math.max(image.width, image.height)) ** 2;
  const colours = typicalColours(image, field, depthSquared);
  if (!colours) return;
  const { background, object } = colours;
  const axis = [object[0]! - background[0]!, object[1]! - background[1]!, object[2]! - background[2]!];
  const contrastSquared = axis[0]! ** 2 + axis[1]! ** 2 + axis[2]! ** 2;
  if (contrastSquared < MIN_CONTRAST ** 2) return;
  const isFringe = (pixel: number): boolean => {
    const offset = pixel * 4;
    const along = (image.data[offset]! - background[0]!) * axis[0]! + (image.data[offset + 1]! - background[1]!) * axis[1]! + (image.data[offset + 2]! - background[2]!) * axis[2]!;
    return along < FRINGE_SHARE * contrastSquared;
  };
  growFringe(trusted, field, image, { depthSquared, isFringe });
}

/**
 * Breadth-first from the outermost trusted pixels of the band (next to an untrusted one nearer
 * the outside), through band pixels that are fringe. The field's window has a margin of outside
 * pixels, so a band cell is never on the window's edge and its four neighbours are all in it.
 */
function growFringe(trusted: Uint8Array, field: SignedField, image: RgbaImage, band: { depthSquared: number; isFringe: (pixel: number) => boolean }): void {
  const { width, insideSquared } = field;
  const offset = field.top * image.width + field.left;
  const pixelOf = (cell: number, row: number): number => offset + row * (image.width - width) + cell;
  const inBand = (cell: number, row: number): boolean => insideSquared[cell]! > 0 && insideSquared[cell]! <= band.depthSquared && trusted[pixelOf(cell, row)] === 1;
  const outer = (next: number, row: number, cell: number): boolean => insideSquared[next]! < insideSquared[cell]! && (insideSquared[next] === 0 || trusted[pixelOf(next, row)] === 0);
  const queue: number[] = [];
  for (let row = 1; row < field.height - 1; row++) {
    for (let cell = row * width + 1; cell < (row + 1) * width - 1; cell++) {
      if (!inBand(cell, row)) continue;
      if (!(outer(cell - 1, row, cell) || outer(cell + 1, row, cell) || outer(cell - width, row - 1, cell) || outer(cell + width, row + 1, cell))) continue;
      if (!band.isFringe(pixelOf(cell, row))) continue;
      trusted[pixelOf(cell, row)] = 0;
      queue.push(cell);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const cell = queue[head]!;
    const row = Math.floor(cell / width);
    for (const [next, nextRow] of [[cell - 1, row], [cell + 1, row], [cell - width, row - 1], [cell + width, row + 1]] as const) {
      if (!inBand(next, nextRow) || !band.isFringe(pixelOf(next, nextRow))) continue;
      trusted[pixelOf(next, nextRow)] = 0;
      queue.push(next);
    }
  }
}

/**
 * Per-channel medians of the background just outside the silhouette (outside pixels with an
 * inside neighbour) and of the object deeper than the band; null when either is empty.
 */
function typicalColours(image: RgbaImage, field: SignedField, depthSquared: number): { background: Uint8Array; object: Uint8Array } | null {
  const { width, height, insideSquared } = field;
  const background = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  const object = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let backgroundCount = 0;
  let objectCount = 0;
  for (let j = 0; j < height; j++) {
    const y = field.top + j;
    if (y < 0 || y >= image.height) continue;
    for (let i = 0; i < width; i++) {
      const x = field.left + i;
      if (x < 0 || x >= image.width) continue;
      const cell = j * width + i;
      const inside = insideSquared[cell]!;
      let histograms: Uint32Array[];
      if (inside > depthSquared) {
        // Every fourth interior pixel gives the same median at a quarter of the work.
        if (((i | j) & 1) !== 0) continue;
        histograms = object;
        objectCount++;
      } else if (inside === 0 && touchesInside(insideSquared, cell, i, j, field)) {
        histograms = background;
        backgroundCount++;
      } else continue;
      const pixel = (y * image.width + x) * 4;
      for (let channel = 0; channel < 3; channel++) histograms[channel]![image.data[pixel + channel]!]!++;
    }
  }
  if (backgroundCount === 0 || objectCount === 0) return null;
  return { background: medians(background, backgroundCount), object: medians(object, objectCount) };
}

function touchesInside(insideSquared: Float32Array, cell: number, i: number, j: number, field: SignedField): boolean {
  return (
    (i > 0 && insideSquared[cell - 1]! > 0) ||
    (i < field.width - 1 && insideSquared[cell + 1]! > 0) ||
    (j > 0 && insideSquared[cell - field.width]! > 0) ||
    (j < field.height - 1 && insideSquared[cell + field.width]! > 0)
  );
}

function medians(histograms: Uint32Array[], count: number): Uint8Array {
  return Uint8Array.from(histograms, (histogram) => {
    let seen = 0;
    for (let value = 0; value < 256; value++) {
      seen += histogram[value]!;
      if (seen * 2 >= count) return value;
    }
    return 255;
  });
}
