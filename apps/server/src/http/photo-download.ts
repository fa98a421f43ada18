import type { Readable } from 'node:stream';
import type { RequestHandler } from 'express';
import { AppError } from '@image2model/core';
import { accessOf, guarded, param, sendBody, type DownloadOptions } from './downloads.js';
import { contentDisposition, safeStem } from './file-names.js';

/** Resolves once the stream has bytes (or has ended), rejects if it cannot be read at all. */
function readable(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('readable', resolve);
    stream.once('error', reject);
  });
}

/**
 * `GET /download/{job_id}/{file_id}/photo`: the photo as it was uploaded, with the downloads'
 * access rules (the owner's key, or the job's session_id). A page opened from a batch link in
 * another browser shows it beside the file, from the first event on: the preview exists only once
 * the model does, and never for a file that failed.
 */
export function createPhotoDownloadHandler(opts: DownloadOptions): RequestHandler {
  return guarded(opts, async (req, res) => {
    const fileId = param(req, 'file_id');
    const { files } = await opts.jobs.getJob(param(req, 'job_id'), accessOf(req, res));
    const file = files.find((candidate) => candidate.file_id === fileId);
    if (!file) throw new AppError('NOT_FOUND', 'File not found');
    const stream = opts.jobs.openBlob(file.image_key);
    // Headers go out only once the stored photo opened, so a missing one is a clean 404.
    await readable(stream).catch((error: unknown) => {
      stream.destroy();
      throw new AppError('NOT_FOUND', 'Photo not found', { cause: error });
    });
    // Uploads are checked by content and stored under their format's extension (.png, .jpg).
    const [type, extension] = file.image_key.endsWith('.png') ? ['image/png', '.png'] : ['image/jpeg', '.jpg'];
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Disposition': contentDisposition(`${safeStem(file.filename, file.file_id)}${extension}`),
      'Cache-Control': 'private, max-age=3600',
    });
    await sendBody(stream, req, res, opts.logger);
  });
}
