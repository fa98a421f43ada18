import type { TripoOptions, ViewSet } from '../../jobs/job.js';
import type { GenerationRequest } from '../model-provider.js';

/** FAL's Tripo v2.5 image-to-3D endpoint. */
export const TRIPO_ENDPOINT = 'tripo3d/tripo/v2.5/image-to-3d';

/**
 * FAL's Tripo v2.5 multiview endpoint: one model from several views of one object. It is the same
 * FAL app (`tripo3d/tripo`) as TRIPO_ENDPOINT, and `@fal-ai/client` builds a request's status,
 * result and cancel URLs from the app alone, so those reach a request whichever endpoint it was
 * submitted to; the endpoint is still passed where it is known.
 */
export const TRIPO_MULTIVIEW_ENDPOINT = 'tripo3d/tripo/v2.5/multiview-to-3d';

/** The options forwarded to FAL, by name: anything else on a record never reaches FAL. */
const TRIPO_OPTION_KEYS = ['texture', 'pbr', 'seed', 'texture_seed', 'texture_alignment', 'orientation', 'auto_size'] as const satisfies readonly (keyof TripoOptions)[];

export interface TripoOptionsInput extends TripoOptions {
  face_limit?: number;
}

export interface TripoInput extends TripoOptionsInput {
  image_url: string;
}

/** The multiview endpoint's input: each view's URL (front 0°, left 90°, back 180°, right 270°). */
export interface TripoMultiviewInput extends TripoOptionsInput {
  front_image_url: string;
  left_image_url?: string;
  back_image_url?: string;
  right_image_url?: string;
}

/** Only what the user gave: FAL's defaults (e.g. its adaptive face limit) apply to the rest. */
function tripoOptionsInput(request: Pick<GenerationRequest, 'face_limit' | 'tripo_options'>): TripoOptionsInput {
  const input: TripoOptionsInput = {};
  if (request.face_limit !== null) input.face_limit = request.face_limit;
  const options = request.tripo_options ?? {};
  for (const key of TRIPO_OPTION_KEYS) {
    if (options[key] !== undefined) Object.assign(input, { [key]: options[key] });
  }
  return input;
}

export function buildTripoInput(request: Pick<GenerationRequest, 'face_limit' | 'tripo_options'>, imageUrl: string): TripoInput {
  return { image_url: imageUrl, ...tripoOptionsInput(request) };
}

export function buildTripoMultiviewInput(request: Pick<GenerationRequest, 'face_limit' | 'tripo_options'>, viewUrls: ViewSet<string>): TripoMultiviewInput {
  const input: TripoMultiviewInput = { front_image_url: viewUrls.front };
  if (viewUrls.left !== undefined) input.left_image_url = viewUrls.left;
  if (viewUrls.back !== undefined) input.back_image_url = viewUrls.back;
  if (viewUrls.right !== undefined) input.right_image_url = viewUrls.right;
  return { ...input, ...tripoOptionsInput(request) };
}

/** The upload's content type (from the photo's first bytes) and a neutral name (the user's file name is not sent to FAL). */
export function describeImage(image: Buffer, fileId: string): { type: string; name: string } {
  if (image.length >= 4 && image[0] === 0x89 && image.subarray(1, 4).toString('latin1') === 'PNG') return { type: 'image/png', name: `${fileId}.png` };
  if (image.length >= 3 && image[0] === 0xff && image[1] === 0xd8 && image[2] === 0xff) return { type: 'image/jpeg', name: `${fileId}.jpg` };
  return { type: 'application/octet-stream', name: `${fileId}.bin` };
}
