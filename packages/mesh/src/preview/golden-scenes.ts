import { createBox, createOpenTube, createUvSphere, mergeGeometries, withTexture } from './fixture-meshes.js';
import { createCheckerTexture, createFaceAtlasTexture, createStripeTexture } from './fixture-textures.js';
import type { PreviewMesh, RenderPreviewOptions } from './render-preview.js';

/**
 * The fixed scenes behind the committed golden images. Changing one means regenerating its golden
 * on purpose with `npx tsx packages/mesh/src/preview/update-golden.ts` and looking at the result.
 */
export interface GoldenScene {
  name: string;
  build: () => PreviewMesh;
  options: RenderPreviewOptions;
}

export const GOLDEN_DIRECTORY = new URL('./__golden__/', import.meta.url);

export const GOLDEN_SCENES: GoldenScene[] = [
  // Hard edges, an atlas with orientation markers, the default view.
  { name: 'box-default-view', build: buildAtlasBox, options: {} },
  // Smooth shading, the highlight, perspective-correct texturing across big and tiny triangles.
  { name: 'checker-sphere-yaw-150', build: buildCheckerSphere, options: { yawDegrees: 150, pitchDegrees: 20, size: 192 } },
  // An open mesh seen from above: back faces inside must be lit, not black or missing.
  { name: 'open-tube-from-above', build: buildOpenTube, options: { yawDegrees: 20, pitchDegrees: 35, size: 192, background: [250, 250, 250] } },
  // Two overlapping boxes: the depth test where parts intersect.
  { name: 'l-shape-yaw-300', build: buildLShape, options: { yawDegrees: 300, pitchDegrees: -15, size: 160 } },
];

export const BOX_FACE_COLOURS = {
  '+x': [60, 160, 70],
  '-x': [50, 90, 200],
  '+y': [235, 200, 40],
  '-y': [40, 190, 200],
  '+z': [210, 40, 40],
  '-z': [190, 60, 190],
} satisfies Parameters<typeof createFaceAtlasTexture>[0];

function buildAtlasBox(): PreviewMesh {
  return withTexture(createBox({ centre: [0, 0, 0], halfSize: [0.5, 0.4, 0.3] }), createFaceAtlasTexture(BOX_FACE_COLOURS));
}

function buildCheckerSphere(): PreviewMesh {
  const texture = createCheckerTexture({ width: 256, height: 128, columns: 16, rows: 8, colours: [[240, 150, 40], [40, 130, 140]] });
  return withTexture(createUvSphere({ radius: 0.5, columns: 48, rows: 24 }), texture);
}

function buildOpenTube(): PreviewMesh {
  const texture = createStripeTexture({ width: 128, height: 8, from: [150, 70, 210], to: [230, 120, 200] });
  return withTexture(createOpenTube({ radius: 0.4, height: 0.8, columns: 48 }), texture);
}

function buildLShape(): PreviewMesh {
  const geometry = mergeGeometries([
    createBox({ centre: [-0.35, 0, 0], halfSize: [0.15, 0.5, 0.15] }),
    createBox({ centre: [0.05, -0.35, 0], halfSize: [0.25, 0.15, 0.15] }),
  ]);
  return withTexture(geometry, createFaceAtlasTexture(BOX_FACE_COLOURS));
}
