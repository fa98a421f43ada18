import type { PlacedModel } from '../geometry/place-model.js';
import { renderPreview } from '../preview/render-preview.js';
import type { ProgressTracker } from '../progress-tracker.js';
import type { Texture } from '../texture/build-texture.js';
import { writeGlb } from './write-glb.js';

/** The angle previews show a model from, so its depth is seen. */
const PREVIEW_YAW_DEGREES = 35;

/** A model's last step, for one photo or several views alike: its GLB, and its preview unless none was asked for (`previewSize` null). */
export async function packModel(model: PlacedModel, texture: Texture, previewSize: number | null, progress: ProgressTracker): Promise<{ glb: Buffer; preview?: Buffer }> {
  const glb = await writeGlb(model, texture.jpeg);
  if (previewSize === null) return { glb };
  progress.start('rendering preview', 90);
  const preview = await renderPreview(
    { positions: model.positions, indices: model.indices, uvs: model.uvs, texture: { data: texture.rgba, width: texture.width, height: texture.height } },
    { size: previewSize, yawDegrees: PREVIEW_YAW_DEGREES },
  );
  return { glb, preview };
}
