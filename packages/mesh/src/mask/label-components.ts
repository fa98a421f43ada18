import { uninitialisedInt32 } from '../memory/scratch-memory.js';
export interface Components {
  /** Component number per pixel, −1 where the mask is 0. Numbered in raster order of first pixel. */
  labels: Int32Array;
  areas: number[];
  /** minX, minY, maxX, maxY per component. */
  boxes: Int32Array;
}

/** Connected components of the non-zero pixels of a mask, by breadth-first flooding (no recursion). */
export function labelComponents(mask: Uint8Array, width: number, height: number, connectivity: 4 | 8): Components {
  const labels = uninitialisedInt32(width * height).fill(-1);
  const queue = uninitialisedInt32(width * height);
  const areas: number[] = [];
  const boxes: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] === 0 || labels[start] !== -1) continue;
    const label = areas.length;
    labels[start] = label;
    queue[0] = start;
    const box = floodComponent({ mask, labels, queue, width, height, label, eightConnected: connectivity === 8 });
    areas.push(box[4]!);
    boxes.push(box[0]!, box[1]!, box[2]!, box[3]!);
  }
  return { labels, areas, boxes: Int32Array.from(boxes) };
}

interface FloodInput {
  mask: Uint8Array;
  labels: Int32Array;
  /** Holds the seed at 0 on entry. */
  queue: Int32Array;
  width: number;
  height: number;
  label: number;
  eightConnected: boolean;
}

/** Labels one component from its seed; returns [minX, minY, maxX, maxY, area]. */
function floodComponent(input: FloodInput): number[] {
  const { mask, labels, queue, width, height, label, eightConnected } = input;
  let minX = width, minY = height, maxX = -1, maxY = -1;
  let tail = 1;
  const visit = (next: number): void => {
    if (mask[next] !== 0 && labels[next] === -1) {
      labels[next] = label;
      queue[tail++] = next;
    }
  };
  for (let head = 0; head < tail; head++) {
    const pixel = queue[head]!;
    const x = pixel % width;
    const y = (pixel - x) / width;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    const left = x > 0, right = x < width - 1, up = y > 0, down = y < height - 1;
    if (left) visit(pixel - 1);
    if (right) visit(pixel + 1);
    if (up) visit(pixel - width);
    if (down) visit(pixel + width);
    if (eightConnected) {
      if (up && left) visit(pixel - width - 1);
      if (up && right) visit(pixel - width + 1);
      if (down && left) visit(pixel + width - 1);
      if (down && right) visit(pixel + width + 1);
    }
  }
  return [minX, minY, maxX, maxY, tail];
}
