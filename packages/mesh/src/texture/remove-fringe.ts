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
  const background = medianColour(image, field, (inside, outsideNeighbour) => inside === 0 && outsideNeighbour);
  const object = medianColour(image, field, (inside) => inside > depthSquared);
  if (!background || !object) return;
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

/** Breadth-first from the outermost trusted pixels (next to an untrusted one nearer the outside), through band pixels that are fringe. */
function growFringe(trusted: Uint8Array, field: SignedField, image: RgbaImage, band: { depthSquared: number; isFringe: (pixel: number) => boolean }): void {
  const { width, height, insideSquared } = field;
  const pixelOf = (cell: number): number => (field.top + Math.floor(cell / width)) * image.width + field.left + (cell % width);
  const inBand = (cell: number): boolean => insideSquared[cell]! > 0 && insideSquared[cell]! <= band.depthSquared && trusted[pixelOf(cell)] === 1;
  const hasOuterUntrustedNeighbour = (cell: number): boolean => {
    const x = cell % width;
    const y = Math.floor(cell / width);
    const outer = (next: number): boolean => insideSquared[next]! < insideSquared[cell]! && (insideSquared[next] === 0 || trusted[pixelOf(next)] === 0);
    return (x > 0 && outer(cell - 1)) || (x < width - 1 && outer(cell + 1)) || (y > 0 && outer(cell - width)) || (y < height - 1 && outer(cell + width));
  };
  const queue: number[] = [];
  for (let cell = 0; cell < insideSquared.length; cell++) {
    // The field's window has a margin of outside pixels, so a band pixel's neighbours are all in it.
    if (inBand(cell) && hasOuterUntrustedNeighbour(cell) && band.isFringe(pixelOf(cell))) {
      trusted[pixelOf(cell)] = 0;
      queue.push(cell);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const cell = queue[head]!;
    const x = cell % width;
    for (const next of [x > 0 ? cell - 1 : -1, x < width - 1 ? cell + 1 : -1, cell - width, cell + width]) {
      if (next < 0 || next >= insideSquared.length || !inBand(next) || !band.isFringe(pixelOf(next))) continue;
      trusted[pixelOf(next)] = 0;
      queue.push(next);
    }
  }
}

/** Visits the field's pixels that lie in the image: the image pixel index and the squared inside distance (0 outside). */
function forEachFieldPixel(image: RgbaImage, field: SignedField, visit: (pixel: number, inside: number, touchesInside: boolean) => void): void {
  for (let j = 0; j < field.height; j++) {
    const y = field.top + j;
    if (y < 0 || y >= image.height) continue;
    for (let i = 0; i < field.width; i++) {
      const x = field.left + i;
      if (x < 0 || x >= image.width) continue;
      const cell = j * field.width + i;
      const touchesInside =
        (i > 0 && field.insideSquared[cell - 1]! > 0) ||
        (i < field.width - 1 && field.insideSquared[cell + 1]! > 0) ||
        (j > 0 && field.insideSquared[cell - field.width]! > 0) ||
        (j < field.height - 1 && field.insideSquared[cell + field.width]! > 0);
      visit(y * image.width + x, field.insideSquared[cell]!, touchesInside);
    }
  }
}

/** Per-channel median colour of the pixels `select` picks (by squared inside distance and whether an outside pixel touches the object), or null if none. */
function medianColour(image: RgbaImage, field: SignedField, select: (inside: number, outsideNeighbour: boolean) => boolean): Uint8Array | null {
  const histograms = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let count = 0;
  forEachFieldPixel(image, field, (pixel, inside, touchesInside) => {
    if (!select(inside, touchesInside)) return;
    count++;
    for (let channel = 0; channel < 3; channel++) histograms[channel]![image.data[pixel * 4 + channel]!]!++;
  });
  if (count === 0) return null;
  return Uint8Array.from(histograms, (histogram) => {
    let seen = 0;
    for (let value = 0; value < 256; value++) {
      seen += histogram[value]!;
      if (seen * 2 >= count) return value;
    }
    return 255;
  });
}
