import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { compareImages } from './compare-images.js';
import { GOLDEN_DIRECTORY, GOLDEN_SCENES } from './golden-scenes.js';
import { renderPreview } from './render-preview.js';

/**
 * Compares renders of fixed synthetic scenes with the committed PNGs in __golden__/. This test only
 * reads them: to change the look on purpose, run `npx tsx packages/mesh/src/preview/update-golden.ts`,
 * look at the new images and commit them. A tolerance absorbs libpng/zlib and floating-point noise
 * across machines, not a changed light or camera.
 */
const MAX_MEAN_ABSOLUTE_DIFFERENCE = 1.0;
const DIFFERING_PIXEL_THRESHOLD = 16;
const MAX_DIFFERING_PIXEL_SHARE = 0.005;

describe('renderPreview golden images', () => {
  it.each(GOLDEN_SCENES)('renders $name like the committed golden image', async (scene) => {
    const expected = await readFile(new URL(`${scene.name}.png`, GOLDEN_DIRECTORY));
    const actual = await renderPreview(scene.build(), scene.options);
    const difference = await compareImages({ actual, expected, threshold: DIFFERING_PIXEL_THRESHOLD });
    const withinTolerance =
      difference.meanAbsoluteDifference < MAX_MEAN_ABSOLUTE_DIFFERENCE &&
      difference.differingPixelShare < MAX_DIFFERING_PIXEL_SHARE;
    if (!withinTolerance) {
      // Leave the render somewhere to look at, never in __golden__/.
      const directory = join(tmpdir(), 'image2model-preview-golden');
      await mkdir(directory, { recursive: true });
      await writeFile(join(directory, `${scene.name}.actual.png`), actual);
      console.error(`golden mismatch for ${scene.name}: see ${join(directory, `${scene.name}.actual.png`)}`);
    }
    expect(difference.meanAbsoluteDifference).toBeLessThan(MAX_MEAN_ABSOLUTE_DIFFERENCE);
    expect(difference.differingPixelShare).toBeLessThan(MAX_DIFFERING_PIXEL_SHARE);
  });
});
