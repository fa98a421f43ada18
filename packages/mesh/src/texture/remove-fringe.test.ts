import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { generateModel } from '../generate-model.js';
import { readGlbMesh } from '../test-support/read-glb-mesh.js';
import { sampleTexture } from '../test-support/sample-texture.js';

/** A fundus-like photo: an orange disc whose last 6 % of radius darkens into the black it sits on. */
function discWithDarkRimOnBlack(size: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <defs><radialGradient id="fundus"><stop offset="0.94" stop-color="#d06030"/><stop offset="1" stop-color="#201008"/></radialGradient></defs>
    <rect width="100%" height="100%" fill="#000"/>
    <circle cx="${size / 2}" cy="${size / 2}" r="${size * 0.4}" fill="url(#fundus)"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

describe('removeFringe', () => {
  it('keeps the dark vignette of a photo on black out of the texture along the rim', async () => {
    const { glb } = await generateModel(await discWithDarkRimOnBlack(512), { face_limit: 3_000, preview: false });
    const { positions, uvs, texture } = await readGlbMesh(glb);
    const red: number[] = [];
    for (let v = 0; v < positions.length / 3; v++) {
      // The silhouette's vertices: the rim, where the vignette was.
      if (positions[v * 3 + 2] === 0) red.push(sampleTexture(texture, uvs[v * 2]!, uvs[v * 2 + 1]!)[0]);
    }
    red.sort((a, b) => a - b);
    expect(red.length).toBeGreaterThan(50);
    // The disc's orange has red 208; the vignette falls to 32. With the fringe kept the median rim sample is about 60.
    expect(red[red.length >> 1]).toBeGreaterThan(170);
    expect(red[Math.floor(red.length * 0.05)]).toBeGreaterThan(140);
  });
});
