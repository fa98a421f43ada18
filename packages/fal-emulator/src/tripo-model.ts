import { DEFAULT_FACE_LIMIT, generateModel, generateMultiviewModel, MAX_FACE_LIMIT, MIN_FACE_LIMIT } from '@image2model/mesh';
import sharp from 'sharp';

/** FAL's model-error item: `{loc, msg, type}` in a `detail` array (FastAPI style). */
export interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** What a Tripo generation produced: a GLB (or, with `quad`, an FBX) and a rendered preview. */
export interface TripoModel {
  model: Buffer;
  model_file_name: string;
  preview: Buffer | null;
}

/** The photos of a multiview request, by view (front 0°, left 90°, back 180°, right 270°). */
export type MultiviewPhotos = { front: Buffer } & Partial<Record<'left' | 'back' | 'right', Buffer>>;

/**
 * Makes the model of one request; tests may swap it (e.g. for a fixed or slow model). `image` is
 * the photo (a multiview request's front); `views` is given for multiview requests only.
 */
export type ModelMaker = (image: Buffer, input: Record<string, unknown>, views?: MultiviewPhotos) => Promise<TripoModel>;

/** Tripo v2.5's endpoints on FAL: one photo, or several views of one object; both answer alike. */
export const TRIPO_ENDPOINT = 'tripo3d/tripo/v2.5/image-to-3d';
export const TRIPO_MULTIVIEW_ENDPOINT = 'tripo3d/tripo/v2.5/multiview-to-3d';

/** The multiview endpoint's image fields, by view; `front_image_url` is required. */
export const VIEW_URL_FIELDS = { front: 'front_image_url', left: 'left_image_url', back: 'back_image_url', right: 'right_image_url' } as const;

const ENUMS: Record<string, readonly string[]> = {
  texture: ['no', 'standard', 'HD'],
  texture_alignment: ['original_image', 'geometry'],
  orientation: ['default', 'align_image'],
};
const BOOLEANS = ['pbr', 'auto_size', 'quad'];
const INTEGERS = ['seed', 'texture_seed', 'face_limit'];

/** Tripo v2.5's input schema at `endpoint`, as FAL's model checks it (reported on the result, as a 422). */
export function validateTripoInput(input: Record<string, unknown>, endpoint: string = TRIPO_ENDPOINT): ValidationDetail[] {
  const issues: ValidationDetail[] = [];
  const multiview = endpoint === TRIPO_MULTIVIEW_ENDPOINT;
  const required = multiview ? VIEW_URL_FIELDS.front : 'image_url';
  if (typeof input[required] !== 'string' || (input[required] as string).length === 0) {
    issues.push({ loc: ['body', required], msg: 'Field required', type: 'missing' });
  }
  if (multiview) {
    for (const field of [VIEW_URL_FIELDS.left, VIEW_URL_FIELDS.back, VIEW_URL_FIELDS.right]) {
      if (input[field] !== undefined && typeof input[field] !== 'string') issues.push({ loc: ['body', field], msg: 'Input should be a valid string', type: 'string_type' });
    }
  }
  for (const [field, allowed] of Object.entries(ENUMS)) {
    const value = input[field];
    if (value !== undefined && (typeof value !== 'string' || !allowed.includes(value))) {
      issues.push({ loc: ['body', field], msg: `Input should be ${allowed.map((a) => `'${a}'`).join(', ')}`, type: 'literal_error' });
    }
  }
  for (const field of BOOLEANS) {
    if (input[field] !== undefined && typeof input[field] !== 'boolean') {
      issues.push({ loc: ['body', field], msg: 'Input should be a valid boolean', type: 'bool_type' });
    }
  }
  for (const field of INTEGERS) {
    const value = input[field];
    if (value !== undefined && !Number.isInteger(value)) {
      issues.push({ loc: ['body', field], msg: 'Input should be a valid integer', type: 'int_type' });
    }
  }
  return issues;
}

/** An FBX header and nothing of use: what `quad: true` (or the not-glb scenario) returns. */
export function fakeFbx(): Buffer {
  return Buffer.concat([Buffer.from('Kaydara FBX Binary  \u0000\u001a\u0000', 'latin1'), Buffer.alloc(64, 0)]);
}

/**
 * The default model maker: a real GLB made from the uploaded photo by `@image2model/mesh` (the
 * visual hull of a multiview request's views, when one of them is a side), within the request's
 * `face_limit`, with its preview re-encoded as WebP like FAL's rendered images. It runs in-process
 * (a small photo takes ~0.1 s), once the request has left the queue.
 */
export const makeTripoModel: ModelMaker = async (image, input, views) => {
  const requested = input.face_limit;
  const face_limit =
    typeof requested === 'number' && Number.isInteger(requested) ? Math.min(MAX_FACE_LIMIT, Math.max(MIN_FACE_LIMIT, requested)) : DEFAULT_FACE_LIMIT;
  const options = { face_limit, texture_size: input.texture === 'HD' ? 2048 : 512, preview: { size: 256 } };
  const generated = views && (views.left || views.right) ? await generateMultiviewModel(views, options) : await generateModel(image, options);
  const preview = generated.preview ? await sharp(generated.preview).webp({ quality: 80 }).toBuffer() : null;
  if (input.quad === true) return { model: fakeFbx(), model_file_name: 'model.fbx', preview };
  return { model: generated.glb, model_file_name: 'model.glb', preview };
};
