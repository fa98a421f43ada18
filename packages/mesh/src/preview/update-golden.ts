/**
 * Regenerates the committed golden images. Run it only on purpose, after a deliberate change to the
 * look of previews, and look at every image before committing:
 *
 *   npx tsx packages/mesh/src/preview/update-golden.ts
 *
 * The golden test never writes these files itself; otherwise it could not catch a regression.
 */
import { mkdir, writeFile } from 'node:fs/promises';

import { GOLDEN_DIRECTORY, GOLDEN_SCENES } from './golden-scenes.js';
import { renderPreview } from './render-preview.js';

async function updateGoldenImages(): Promise<void> {
  await mkdir(GOLDEN_DIRECTORY, { recursive: true });
  for (const scene of GOLDEN_SCENES) {
    const file = new URL(`${scene.name}.png`, GOLDEN_DIRECTORY);
    await writeFile(file, await renderPreview(scene.build(), scene.options));
    console.log(`wrote ${file.pathname}`);
  }
}

await updateGoldenImages();
