import { resolve } from 'node:path';
import { Image2ModelError } from '../../index.js';
import { modelExtension, type ModelFormat } from '../../downloads.js';
import { EXIT, type CommandContext } from '../context.js';
import { localFileName, saveDownload } from '../save.js';

export interface DownloadCommandOptions {
  out: string;
  zip?: boolean;
  file?: string;
  sessionId?: string;
  /** Overwrite files of the same name instead of saving as `name-2.glb`, … */
  force?: boolean;
  /** @default 'glb' */
  format?: ModelFormat;
  /** STL and 3MF: the height in the print, in millimetres (not with `zip`). */
  heightMm?: number;
}

/** `--height-mm` sizes one model at a time: a batch ZIP holds the default size only. */
export function checkHeightWithZip(options: { zip?: boolean; heightMm?: number }): void {
  if (options.zip && options.heightMm !== undefined) {
    throw new Image2ModelError({ code: 'VALIDATION_ERROR', status: 0, message: '--height-mm applies to separate models, not to --zip (the ZIP holds each model at its default size)', details: { field: 'height_mm' } });
  }
}

/** Saves the job's completed models (or one of them, or the ZIP) into the output directory. */
export async function runDownload(ctx: CommandContext, jobId: string, options: DownloadCommandOptions): Promise<number> {
  checkHeightWithZip(options);
  if (!options.sessionId) ctx.requireApiKey();
  const { client } = ctx;
  const outDir = resolve(options.out);
  const access = options.sessionId ? { sessionId: options.sessionId } : {};
  if (options.zip) {
    const zip = await client.downloadAll(jobId, { ...access, format: options.format });
    const path = await saveDownload(zip, outDir, localFileName(jobId, 'models', '.zip'), { force: options.force });
    ctx.result(`Saved ${path}`, { job_id: jobId, out_dir: outDir, zip: path, files: [] });
    return EXIT.ok;
  }
  const job = await client.status.get.query({ job_id: jobId, ...(options.sessionId ? { session_id: options.sessionId } : {}) });
  const wanted = job.files.filter((f) => (options.file ? f.file_id === options.file : f.status === 'completed'));
  if (options.file && wanted.length === 0) {
    throw new Image2ModelError({ code: 'NOT_FOUND', status: 404, message: `Job ${jobId} has no file ${options.file}`, details: { file_id: options.file } });
  }
  if (wanted.length === 0) {
    throw new Image2ModelError({ code: 'NOT_FOUND', status: 404, message: `Job ${jobId} has no completed models yet (job status: ${job.status})` });
  }
  const files: { file_id: string; filename: string; path: string }[] = [];
  // One at a time, in the job's order (so `name-2.glb` is the later file of two with one name).
  for (const file of wanted) {
    const download = await client.downloadModel(jobId, file.file_id, { ...access, format: options.format, heightMm: options.heightMm });
    const path = await saveDownload(download, outDir, localFileName(file.filename, file.file_id, modelExtension(options.format ?? 'glb')), { force: options.force });
    files.push({ file_id: file.file_id, filename: file.filename, path });
  }
  ctx.result(files.map((f) => `Saved ${f.path}`).join('\n'), { job_id: jobId, out_dir: outDir, zip: null, files });
  return EXIT.ok;
}
