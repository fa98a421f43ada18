import { pipeline } from 'node:stream/promises';
import type { Request, RequestHandler, Response } from 'express';
import { AppError, type Access, type JobService } from '@image2model/core';
import type { Logger } from 'pino';
import { identityOf } from './identity.js';
import { sendError } from './error-handler.js';
import { contentDisposition, createNameDeduper, safeStem } from './file-names.js';

export interface DownloadOptions {
  jobs: JobService;
  logger: Logger;
}

/** Downloads are read-only: an API key, or the job's session_id in the query. */
function accessOf(req: Request, res: Response): Access {
  const identity = identityOf(res);
  if (identity.credentialsPresent && identity.principal === null) throw new AppError('AUTHENTICATION_REQUIRED', 'Invalid API key');
  const sessionId = typeof req.query.session_id === 'string' && req.query.session_id !== '' ? req.query.session_id : null;
  if (identity.principal === null && sessionId === null) {
    throw new AppError('AUTHENTICATION_REQUIRED', "Missing API key: send Authorization: Bearer <key> or the job's session_id");
  }
  return { owner: identity.principal?.owner ?? null, session_id: sessionId };
}

function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}

function guarded(opts: DownloadOptions, handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return async function download(req, res) {
    try {
      await handler(req, res);
    } catch (error) {
      sendError(res, error instanceof AppError ? error : new AppError('PROCESSING_ERROR', 'Download failed', { cause: error }), opts.logger);
    }
  };
}

export function createModelDownloadHandler(opts: DownloadOptions): RequestHandler {
  return guarded(opts, async (req, res) => {
    const model = await opts.jobs.openModel(param(req, 'job_id'), param(req, 'file_id'), accessOf(req, res));
    if (model.kind === 'redirect') {
      res.redirect(302, model.url);
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'model/gltf-binary',
      'Content-Length': String(model.size),
      'Content-Disposition': contentDisposition(model.filename),
      'Cache-Control': 'private, max-age=3600',
    });
    await pipeline(model.stream, res);
  });
}

export function createPreviewDownloadHandler(opts: DownloadOptions): RequestHandler {
  return guarded(opts, async (req, res) => {
    const preview = await opts.jobs.openPreview(param(req, 'job_id'), param(req, 'file_id'), accessOf(req, res));
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(preview.size), 'Cache-Control': 'private, max-age=3600' });
    await pipeline(preview.stream, res);
  });
}

/** A streamed ZIP: each GLB is read from disk as the archive is written, so memory stays flat. */
export function createZipDownloadHandler(opts: DownloadOptions): RequestHandler {
  return guarded(opts, async (req, res) => {
    const { job, models } = await opts.jobs.listCompletedModels(param(req, 'job_id'), accessOf(req, res));
    const unique = createNameDeduper();
    const entryNames = new Map(models.map((m) => [m.file_id, unique(safeStem(m.filename, m.file_id), '.glb')]));
    const manifest = {
      job_id: job.job.job_id,
      created_at: job.job.created_at,
      files: job.files.map((file) => ({
        file_id: file.file_id,
        name: file.filename,
        model: entryNames.get(file.file_id) ?? null,
        status: file.status,
        face_limit: file.face_limit,
        model_task_id: file.model_task_id,
        error: file.error,
      })),
    };
    // Loaded on the first ZIP download rather than at start (BENCHMARKS.md, "cold start").
    const { ZipArchive } = await import('archiver');
    const archive = new ZipArchive({ store: true });
    res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Disposition': contentDisposition(`${job.job.job_id}.zip`) });
    for (const model of models) archive.append(opts.jobs.openBlob(model.model_key), { name: entryNames.get(model.file_id) ?? `${model.file_id}.glb` });
    archive.append(JSON.stringify(manifest, null, 2), { name: 'manifest.json' });
    const done = pipeline(archive, res);
    await archive.finalize();
    await done;
  });
}
