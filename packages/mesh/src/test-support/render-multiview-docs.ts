import { fileURLToPath } from 'node:url';

import sharp from 'sharp';

import { generateModel } from '../generate-model.js';
import { generateMultiviewModel } from '../multiview/generate-multiview-model.js';
import { VIEW_NAMES } from '../multiview/view-cameras.js';
import { renderPreview } from '../preview/render-preview.js';
import { boundingBox, signedVolume } from './mesh-topology.js';
import { asymmetricBlock, box, cylinder, lBlock, renderFourViews, type SyntheticObject } from './multiview-objects.js';
import { readGlbMesh, type GlbMesh } from './read-glb-mesh.js';

/**
 * Measures the multiview generator against the single-view one on the synthetic objects and
 * prints the table for docs/multiview.md; draws docs/multiview.png (each object's four
 * views, then its model from 0°, 35°, 90°, 150° and 180°):
 *   npx tsx packages/mesh/src/test-support/render-multiview-docs.ts
 */
const TILE = 192;
const YAWS = [0, 35, 90, 150, 180];
const gallery = fileURLToPath(new URL('../../../../docs/multiview.png', import.meta.url));

function measure(mesh: GlbMesh, object: SyntheticObject): { size: number[]; volume: number } {
  const { size } = boundingBox(mesh.positions);
  const scale = object.size[1] / size[1]!;
  return { size: size.map((side) => side * scale), volume: signedVolume(mesh.positions, mesh.indices) * scale ** 3 };
}

function error(measured: number, truth: number): string {
  const percent = Math.round((measured / truth - 1) * 100);
  return percent === 0 ? '0 %' : `${percent > 0 ? '+' : '−'}${Math.abs(percent)} %`;
}

const rows: string[] = [];
const tiles: Buffer[][] = [];
for (const object of [box(), cylinder(), lBlock(), asymmetricBlock()]) {
  const views = await renderFourViews(object);
  const multi = await readGlbMesh((await generateMultiviewModel(views, { face_limit: 10_000, preview: false })).glb);
  const single = await readGlbMesh((await generateModel(views.front, { face_limit: 10_000, preview: false })).glb);
  const [w, h, d] = object.size;
  for (const [method, mesh] of [['four views', multi], ['front alone', single]] as const) {
    const { size, volume } = measure(mesh, object);
    rows.push(
      `| ${object.name} | ${method} | ${size.map((side) => side.toFixed(2)).join(' : ')} (true ${w} : ${h} : ${d}) | ${error(size[0]! / size[1]!, w / h)} | ${error(size[2]! / size[1]!, d / h)} | ${volume.toFixed(3)} (true ${object.volume.toFixed(3)}) | ${error(volume, object.volume)} |`,
    );
  }
  const row: Buffer[] = await Promise.all(VIEW_NAMES.map((name) => sharp(views[name]).flatten({ background: '#e1e4eb' }).resize(TILE, TILE, { fit: 'contain', background: '#e1e4eb' }).png().toBuffer()));
  const texture = { data: multi.texture.data, width: multi.texture.width, height: multi.texture.height };
  for (const yaw of YAWS) row.push(await renderPreview({ positions: multi.positions, indices: multi.indices, uvs: multi.uvs, texture }, { size: TILE, yawDegrees: yaw }));
  tiles.push(row);
}

await sharp({ create: { width: TILE * tiles[0]!.length, height: TILE * tiles.length, channels: 3, background: '#e1e4eb' } })
  .composite(tiles.flatMap((row, r) => row.map((input, c) => ({ input, left: c * TILE, top: r * TILE }))))
  .png()
  .toFile(gallery);
process.stdout.write([
  '| object | made from | width : height : depth, height as the object\'s | width error | depth error | volume | volume error |',
  '|---|---|---|---|---|---|---|',
  ...rows,
  '',
].join('\n'));
