import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Image2ModelError, type JobFile, type MultiviewSources, type UploadResponse } from '../../index.js';
import { modelExtension, type ModelFormat } from '../../downloads.js';
import { EXIT, type CommandContext } from '../context.js';
import { completedNote, describeViews, shapeNote, viewsLines, warningLines } from '../describe-model.js';
import { offerCancel } from '../offer-cancel.js';
import { createLimiter, localFileName, saveDownload } from '../save.js';
import { checkHeightWithZip } from './download.js';

export interface GenerateOptions {
  /** One object from several sides: its front photo, with at least one of `left` and `right`. */
  front?: string;
  left?: string;
  back?: string;
  right?: string;
  faceLimit?: number;
  out: string;
  zip?: boolean;
  /** Overwrite files of the same name instead of saving as `name-2.glb`, … */
  force?: boolean;
  /** Where the job's webhook events go (`webhook_url`). */
  webhook?: string;
  /** @default 'glb' */
  format?: ModelFormat;
  /** STL and 3MF: the height in the print, in millimetres (not with `zip`). */
  heightMm?: number;
}

/** Models downloaded at once: each holds one of the server's per-key stream slots (MAX_STREAMS_PER_KEY). */
const PARALLEL_DOWNLOADS = 3;

interface FileOutcome {
  file_id: string;
  filename: string;
  status: JobFile['status'];
  path: string | null;
  error: { code: string; message: string } | null;
  /** How the model was made, where the user should know (e.g. `BACKGROUND_NOT_SEPARATED`: a flat card). */
  warnings: JobFile['warnings'];
  shape: JobFile['shape'];
  /** The photo of each side, for a model made from several views. */
  views?: JobFile['views'];
}

/** The side views `generate` takes as options, in the form's order. */
const SIDE_OPTIONS = ['left', 'back', 'right'] as const;

/**
 * Why the command line cannot be run (a usage error, exit 2), or null: images as arguments, or
 * `--front` with a left or right view, never both.
 */
export function generateUsageProblem(images: readonly string[], options: GenerateOptions): string | null {
  const sides = SIDE_OPTIONS.filter((side) => options[side] !== undefined);
  if (options.front === undefined) {
    if (sides.length > 0) return `--${sides[0]} needs --front: the views are of one object, seen from its front and sides`;
    return images.length === 0 ? "missing images: give JPEG or PNG files, or --front with --left and/or --right for one object's views" : null;
  }
  if (images.length > 0) return `--front makes one model from views of one object and takes no images as arguments (got ${images.join(', ')}): upload those in another run`;
  if (options.left === undefined && options.right === undefined) return '--front needs --left or --right as well: a side view is what gives the model its depth';
  return null;
}

/** The views to upload, front first, when the command line names them. */
function viewsOf(options: GenerateOptions): MultiviewSources | null {
  if (options.front === undefined) return null;
  const { front, left, back, right } = options;
  if (left !== undefined) return { front, left, back, right };
  if (right !== undefined) return { front, right, back };
  return null;
}

/** Every image must exist before anything is sent: one missing file fails the command at once. */
async function checkImages(images: readonly string[]): Promise<void> {
  for (const image of images) {
    const info = await stat(image).catch(() => null);
    if (!info?.isFile()) {
      throw new Image2ModelError({ code: 'FILE_NOT_FOUND', status: 0, message: `${info ? 'Not a file' : 'File not found'}: ${image}`, details: { path: image } });
    }
  }
}

/**
 * Uploads the images as one job, shows each file's progress from the event stream, downloads
 * each model as soon as it is ready (or the ZIP at the end with --zip), and exits 1 if any failed.
 */
export async function runGenerate(ctx: CommandContext, images: string[], options: GenerateOptions): Promise<number> {
  const views = viewsOf(options);
  await checkImages(views ? Object.values(views).filter((view): view is string => typeof view === 'string') : images);
  checkHeightWithZip(options);
  ctx.requireApiKey();
  const { client } = ctx;
  const outDir = resolve(options.out);
  const uploadOptions = {
    ...(options.faceLimit === undefined ? {} : { faceLimit: options.faceLimit }),
    ...(options.webhook === undefined ? {} : { webhookUrl: options.webhook }),
  };
  const upload: UploadResponse = views ? await client.uploadMultiview(views, uploadOptions) : await client.upload(images, uploadOptions);
  ctx.note(views ? `Uploaded ${describeViews(upload.files[0]?.views)} of one object as job ${upload.job_id}` : `Uploaded ${upload.total_files} image${upload.total_files === 1 ? '' : 's'} as job ${upload.job_id}`);

  const view = ctx.progressView();
  view.start(upload.files);
  const names = new Map(upload.files.map((f) => [f.file_id, f.filename]));
  const downloads = createLimiter(PARALLEL_DOWNLOADS);
  const saved = new Map<string, string>();
  const saving: Promise<void>[] = [];
  const saveErrors: unknown[] = [];
  const failures = new Map<string, { code: string; message: string }>();
  const saveModel = (fileId: string) =>
    downloads(async () => {
      const download = await client.downloadModel(upload.job_id, fileId, { format: options.format, heightMm: options.heightMm });
      const path = await saveDownload(download, outDir, localFileName(names.get(fileId) ?? fileId, fileId, modelExtension(options.format ?? 'glb')), { force: options.force });
      saved.set(fileId, path);
      view.saved(fileId, path);
    });

  // Ctrl+C stops watching; the job goes on unless the user says to cancel it too.
  const interrupt = () => {
    view.stop();
    offerCancel(ctx, upload.job_id)
      .catch((error: unknown) => ctx.note(`Cancelling failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);

  let zipPath: string | null = null;
  try {
    for await (const event of client.events(upload.job_id)) {
      if (event.type === 'progress') view.progress(event.file_id, event.progress);
      else if (event.type === 'failed') {
        failures.set(event.file_id, event.error);
        view.failed(event.file_id, `${event.error.code}: ${event.error.message}`);
      } else if (event.type === 'completed') {
        failures.delete(event.file_id);
        view.completed(event.file_id, completedNote(event));
        // Caught at once (and rethrown below), so a failed download never goes unhandled.
        if (!options.zip) saving.push(saveModel(event.file_id).catch((error: unknown) => void saveErrors.push(error)));
      }
    }
    await Promise.all(saving);
    if (saveErrors.length > 0) throw saveErrors[0];
    if (options.zip) {
      const zip = await client.downloadAll(upload.job_id, { format: options.format });
      zipPath = await saveDownload(zip, outDir, localFileName(upload.job_id, 'models', '.zip'), { force: options.force });
      view.log(`Saved ${zipPath}`);
    }
  } finally {
    process.off('SIGINT', interrupt);
    view.stop();
  }

  const job = await client.status.get.query({ job_id: upload.job_id });
  const files: FileOutcome[] = job.files.map((file) => ({
    file_id: file.file_id,
    filename: file.filename,
    status: file.status,
    path: saved.get(file.file_id) ?? null,
    error: file.error ?? failures.get(file.file_id) ?? null,
    warnings: file.warnings,
    shape: file.shape,
    ...(file.views ? { views: file.views } : {}),
  }));
  const failed = files.filter((f) => f.status !== 'completed');
  const lines = files.flatMap((f) =>
    f.status === 'completed'
      ? [`ok      ${names.get(f.file_id) ?? f.file_id} -> ${f.path ?? zipPath ?? ''}  ${shapeNote(f)}`.trimEnd(), ...viewsLines(f), ...warningLines(f)]
      : [`FAILED  ${f.filename}: ${f.error ? `${f.error.code}: ${f.error.message}` : f.status}`],
  );
  const summary = `${files.length - failed.length} of ${files.length} model${files.length === 1 ? '' : 's'} generated (job ${job.job_id}, ${job.status})`;
  ctx.result([...lines, summary].join('\n'), { job_id: job.job_id, session_id: job.session_id, status: job.status, out_dir: outDir, zip: zipPath, files });
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}
