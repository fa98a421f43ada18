import type { Request } from 'express';
import { AppError, VIEW_NAMES, type UploadedFile, type UploadedImage, type ViewName } from '@image2model/core';
import { storedUploadName } from './file-names.js';
import { checkImage } from './image-check.js';

type Part = Express.Multer.File;

/**
 * What one multipart upload route takes: which file fields, how many files, and what files of
 * the new job they make. The upload handler (streaming, limits, fields, idempotency) is shared.
 */
export interface UploadForm {
  /** The operation name its idempotency records carry. */
  operation: string;
  maxFiles: number;
  /** Why a file part may not be received (an unknown field, a view sent twice), or null. */
  refuseField(field: string, req: Request): AppError | null;
  /** Over `maxFiles` file parts. */
  tooManyFiles(): AppError;
  /** Which files arrived (before any is read): throws VALIDATION_ERROR when the form is incomplete. */
  checkFiles(parts: readonly Part[]): void;
  /** The job's files from the received parts, each photo checked by content. */
  toJobFiles(parts: readonly Part[], maxImagePixels: number): Promise<UploadedFile[]>;
  /** The parts as the idempotency fingerprint hashes them (name, and the view where there are views). */
  fingerprintFiles(parts: readonly Part[]): { path: string; originalname: string; view?: string }[];
}

async function checkedImage(part: Part, maxImagePixels: number): Promise<UploadedImage> {
  const filename = storedUploadName(part.originalname);
  return { filename, temp_path: part.path, format: await checkImage(part.path, filename, maxImagePixels) };
}

const BATCH_FIELDS = new Set(['files', 'files[]']);

/** `POST /upload/batch`: 1–`maxFiles` photos in `files`, one file of the job each. */
export function batchUploadForm(maxFiles: number): UploadForm {
  return {
    operation: 'upload.batch',
    maxFiles,
    refuseField: (field) =>
      BATCH_FIELDS.has(field) ? null : new AppError('VALIDATION_ERROR', `Unexpected file field "${field}": send images in the "files" field`),
    tooManyFiles: () => new AppError('VALIDATION_ERROR', `Too many files: at most ${maxFiles} per batch`, { details: { max_files: maxFiles } }),
    checkFiles(parts) {
      if (parts.length === 0) {
        throw new AppError('VALIDATION_ERROR', 'No files: send one or more JPEG or PNG images as multipart/form-data in the "files" field', {
          details: { max_files: maxFiles },
        });
      }
    },
    async toJobFiles(parts, maxImagePixels) {
      const images: UploadedImage[] = [];
      for (const part of parts) images.push(await checkedImage(part, maxImagePixels));
      return images;
    },
    fingerprintFiles: (parts) => parts.map(({ path, originalname }) => ({ path, originalname })),
  };
}

const VIEW_FIELDS: ReadonlySet<string> = new Set(VIEW_NAMES);

function isView(field: string): field is ViewName {
  return VIEW_FIELDS.has(field);
}

/**
 * `POST /upload/multiview`: one photo each in `front` (required), `left`, `right` (one of them
 * required: a side view is what gives depth) and `back`, all one file of the job.
 */
export function multiviewUploadForm(): UploadForm {
  // The views each request has sent so far: a second part of one view is refused at its headers.
  const received = new WeakMap<Request, Set<string>>();
  return {
    operation: 'upload.multiview',
    maxFiles: VIEW_NAMES.length,
    refuseField(field, req) {
      if (!isView(field)) {
        return new AppError('VALIDATION_ERROR', `Unexpected file field "${field}": send one image in each of "front", "left", "right" and "back"`, {
          details: { field, allowed_fields: [...VIEW_NAMES] },
        });
      }
      const seen = received.get(req) ?? new Set<string>();
      received.set(req, seen);
      if (seen.has(field)) return new AppError('VALIDATION_ERROR', `The "${field}" view was sent twice: send one image per view`, { details: { field } });
      seen.add(field);
      return null;
    },
    tooManyFiles: () => new AppError('VALIDATION_ERROR', `Too many files: one image per view, at most ${VIEW_NAMES.length}`, { details: { max_files: VIEW_NAMES.length } }),
    checkFiles(parts) {
      const fields = new Set(parts.map((part) => part.fieldname));
      if (!fields.has('front')) {
        throw new AppError('VALIDATION_ERROR', 'No front view: send the photo of the object\'s front in the "front" field', { details: { field: 'front' } });
      }
      if (!fields.has('left') && !fields.has('right')) {
        throw new AppError('VALIDATION_ERROR', 'No side view: a left or right view is needed for depth; send one in the "left" or "right" field', {
          details: { field: 'left', fields: ['left', 'right'] },
        });
      }
    },
    async toJobFiles(parts, maxImagePixels) {
      const views: Partial<Record<ViewName, UploadedImage>> = {};
      for (const view of VIEW_NAMES) {
        const part = parts.find((candidate) => candidate.fieldname === view);
        if (part === undefined) continue;
        try {
          views[view] = await checkedImage(part, maxImagePixels);
        } catch (error) {
          // The same code as upload/batch, naming the view the photo was sent as.
          if (error instanceof AppError) throw new AppError(error.code, error.message, { ...error.opts, details: { ...error.opts.details, field: view } });
          throw error;
        }
      }
      if (!views.front) throw new Error('checkFiles lets no upload without a front view through');
      return [{ views: { ...views, front: views.front } }];
    },
    fingerprintFiles: (parts) =>
      VIEW_NAMES.flatMap((view) => parts.filter((part) => part.fieldname === view).map(({ path, originalname }) => ({ path, originalname, view }))),
  };
}
