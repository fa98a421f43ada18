import type { ClientConfig } from './config.js';
import { Image2ModelError } from './errors.js';
import { isNamed, postUpload, toPart, type UploadOptions, type UploadSource } from './upload.js';
import type { UploadResponse } from './generated/api-types.js';

/** The sides of one object a multiview upload may show, in the form's field order. */
export const VIEW_NAMES = ['front', 'left', 'back', 'right'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/**
 * Photos of one object from its sides, each one image as `upload()` takes it (a path in Node, a
 * `File`, `Blob` or bytes, or `{ name, data }`). `front` is required, and so is `left` or `right`:
 * a side view is what gives the model its depth. `left` shows the object's own left side (walk a
 * quarter of the way round it to your right), `back` the side opposite the front.
 */
export type MultiviewSources =
  | { front: UploadSource; left: UploadSource; back?: UploadSource | undefined; right?: UploadSource | undefined }
  | { front: UploadSource; right: UploadSource; back?: UploadSource | undefined; left?: UploadSource | undefined };

function invalid(message: string, details: Record<string, unknown>): Image2ModelError {
  return new Image2ModelError({ code: 'VALIDATION_ERROR', status: 0, message, details });
}

/**
 * The views given, in field order. Checked here as the server would, so a call that cannot succeed
 * (from JavaScript, which the type does not guard) sends nothing.
 */
function viewsOf(sources: MultiviewSources): [ViewName, UploadSource][] {
  const given = sources as Partial<Record<string, UploadSource>>;
  const unknown = Object.keys(given).filter((key) => given[key] !== undefined && !(VIEW_NAMES as readonly string[]).includes(key));
  if (unknown.length > 0) throw invalid(`Unknown view ${unknown.map((key) => `"${key}"`).join(', ')}: the views are ${VIEW_NAMES.join(', ')}`, { field: unknown[0], views: VIEW_NAMES });
  if (given.front === undefined) throw invalid('uploadMultiview() needs a front view', { field: 'front' });
  if (given.left === undefined && given.right === undefined) {
    throw invalid('uploadMultiview() needs a left or right view as well as the front: a side view is what gives the model its depth', { field: 'left' });
  }
  return VIEW_NAMES.flatMap((view) => (given[view] === undefined ? [] : [[view, given[view]] as [ViewName, UploadSource]]));
}

/**
 * `POST /api/v1/upload/multiview`: each view in the form field named after it (`front`, `left`,
 * `back`, `right`), with the options `upload()` takes, under one Idempotency-Key. The answer has
 * one file, `file_001`, whose `views` name the photo of each side.
 */
export async function uploadMultiview(config: ClientConfig, sources: MultiviewSources, options: UploadOptions = {}): Promise<UploadResponse> {
  const views = viewsOf(sources);
  const parts = await Promise.all(
    views.map(async ([view, source]) => ({ view, ...(await (isNamed(source) ? toPart(source.data, source.name, view) : toPart(source, undefined, view))) })),
  );
  const form = new FormData();
  for (const part of parts) form.append(part.view, part.blob, part.name);
  return postUpload(config, '/api/v1/upload/multiview', form, options);
}
