import type { TripoOptions } from '../../jobs/job.js';
import type { GenerationRequest } from '../model-provider.js';

/** FAL's Tripo v2.5 image-to-3D endpoint. */
export const TRIPO_ENDPOINT = 'tripo3d/tripo/v2.5/image-to-3d';

/** The options forwarded to FAL, by name: anything else on a record never reaches FAL. */
const TRIPO_OPTION_KEYS = ['texture', 'pbr', 'seed', 'texture_seed', 'texture_alignment', 'orientation', 'auto_size'] as const satisfies readonly (keyof TripoOptions)[];

export interface TripoInput extends TripoOptions {
  image_url: string;
  face_limit?: number;
}

/** Only what the user gave: FAL's defaults (e.g. its adaptive face limit) apply to the rest. */
export function buildTripoInput(request: Pick<GenerationRequest, 'face_limit' | 'tripo_options'>, imageUrl: string): TripoInput {
  const input: TripoInput = { image_url: imageUrl };
  if (request.face_limit !== null) input.face_limit = request.face_limit;
  const options = request.tripo_options ?? {};
  for (const key of TRIPO_OPTION_KEYS) {
    if (options[key] !== undefined) Object.assign(input, { [key]: options[key] });
  }
  return input;
}

/** The upload's content type (from the photo's first bytes) and a neutral name (the user's file name is not sent to FAL). */
export function describeImage(image: Buffer, fileId: string): { type: string; name: string } {
  if (image.length >= 4 && image[0] === 0x89 && image.subarray(1, 4).toString('latin1') === 'PNG') return { type: 'image/png', name: `${fileId}.png` };
  if (image.length >= 3 && image[0] === 0xff && image[1] === 0xd8 && image[2] === 0xff) return { type: 'image/jpeg', name: `${fileId}.jpg` };
  return { type: 'application/octet-stream', name: `${fileId}.bin` };
}
