import { describe, expect, it } from 'vitest';

import { seededRandom } from '@image2model/testing/seeded-random';
import { componentWindow, findRunComponents, paintComponents } from './run-components.js';

/** Component areas by flooding pixel by pixel, in order of first pixel. */
function floodAreas(mask: Uint8Array, width: number, height: number, value: number, connectivity: 4 | 8): number[] {
  const seen = new Uint8Array(mask.length);
  const areas: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== value || seen[start]) continue;
    const stack = [start];
    seen[start] = 1;
    let area = 0;
    while (stack.length > 0) {
      const pixel = stack.pop()!;
      area++;
      const [x, y] = [pixel % width, Math.floor(pixel / width)];
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (connectivity === 4 && dx !== 0 && dy !== 0)) continue;
          const [nx, ny] = [x + dx, y + dy];
          const next = ny * width + nx;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height || mask[next] !== value || seen[next]) continue;
          seen[next] = 1;
          stack.push(next);
        }
      }
    }
    areas.push(area);
  }
  return areas;
}

describe('findRunComponents', () => {
  it.each([
    [4, 1, 0.45],
    [8, 1, 0.45],
    [4, 0, 0.6],
    [8, 0, 0.3],
  ] as const)('finds the same %i-connected components of value %i as a pixel flood (density %f)', (connectivity, value, density) => {
    const [width, height] = [41, 29];
    const random = seededRandom(connectivity * 10 + value);
    const mask = Uint8Array.from({ length: width * height }, () => (random() < density ? 1 : 0));
    const components = findRunComponents(mask, { width, height }, { value, connectivity });
    expect(Array.from(components.areas)).toEqual(floodAreas(mask, width, height, value, connectivity));
  });

  it('measures bounding boxes and paints or extracts whole components', () => {
    const width = 8;
    // Two blobs: an L at the top left and a bar at the bottom right.
    const mask = Uint8Array.from([
      1, 1, 0, 0, 0, 0, 0, 0,
      1, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 1, 1, 1,
    ]);
    const components = findRunComponents(mask, { width, height: 3 }, { value: 1, connectivity: 4 });
    expect(Array.from(components.boxes)).toEqual([0, 0, 1, 1, 5, 2, 7, 2]);
    expect(Array.from(componentWindow(components, 1, { x0: 4, y0: 1, width: 4, height: 2 }))).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    paintComponents(mask, width, components, Uint8Array.of(1, 0), 0);
    expect(mask.subarray(0, 16).every((v) => v === 0)).toBe(true);
    expect(Array.from(mask.subarray(16))).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
  });
});
