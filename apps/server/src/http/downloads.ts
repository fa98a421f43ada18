import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, RequestHandler, Response } from 'express';
import { AppError, viewFilenames, type Access, type JobService } from '@image2model/core';
import type { Logger } from 'pino';
import { identityOf } from './identity.js';
import { sendError } from './error-handler.js';
import { contentDisposition } from './file-names.js';
import { formatOf, heightMmOf } from './model-format.js';
import { zipEntries, zipLayout } from './zip-entries.js';

export interface DownloadOptions {
  jobs: JobService;
  logger: Logger;
  /** A client that takes no bytes for this long is cut, freeing the socket and the open files. */
  slowReaderTimeoutMs: number;
}

/** How a client hanging up surfaces in a pipeline to its response. */
const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE']);

/** Downloads are read-only: an API key, or the job's session_id in the query. */
export function accessOf(req: Request, res: Response): Access {
  const identity = identityOf(res);
  if (identity.credentialsPresent && identity.principal === null) throw new AppError('AUTHENTICATION_REQUIRED', 'Invalid API key');
  const sessionId = typeof req.query.session_id === 'string' && req.query.session_id !== '' ? req.query.session_id : null;
  if (identity.principal === null && sessionId === null) {
    throw new AppError('AUTHENTICATION_REQUIRED', "Missing API key: send Authorization: Bearer <key> or the job's session_id");
  }
  return { owner: identity.principal?.owner ?? null, session_id: sessionId };
}

export function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}

/**
 * Streams a body to the client. A client hanging up is not the service's error: right after the last
 * byte (curl does, often before Node reports the response finished) the download succeeded, and
 * part-way it is an info line.
 */
export async function sendBody(source: Readable, req: Request, res: Response, logger: Logger): Promise<void> {
  try {
    await pipeline(source, res);
  } catch (error) {
    if (!CLIENT_GONE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    if (!res.writableEnded) logger.info({ path: req.path, bytes_sent: res.socket?.bytesWritten ?? null }, 'Client disconnected mid-download');
  }
}

export function guarded(opts: DownloadOptions, handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return async function download(req, res) {
    // No progress for this long (the socket took no bytes): cut, so a reader that stopped frees its files.
    res.setTimeout(opts.slowReaderTimeoutMs, () => res.destroy());
    try {
      await handler(req, res);
    } catch (error) {
      sendError(res, error instanceof AppError ? error : new AppError('PROCESSING_ERROR', 'Download failed', { cause: error }), opts.logger);
    }
  };
}

export function createModelDownloadHandler(opts: DownloadOptions): RequestHandler {
  return guarded(opts, async (req, res) => {
    const access = accessOf(req, res);
    const format = formatOf(req);
    const heightMm = heightMmOf(req, format);
    if (format !== 'glb') {
      const converted = await opts.jobs.openConvertedModel(param(req, 'job_id'), param(req, 'file_id'), access, { format, ...(heightMm !== undefined ? { heightMm } : {}) });
      res.writeHead(200, {
        'Content-Type': converted.contentType,
        'Content-Length': String(converted.size),
        'Content-Disposition': contentDisposition(converted.filename),
        'Cache-Control': 'private, max-age=3600',
      });
      await sendBody(converted.stream, req, res, opts.logger);
      return;
    }
    const model = await opts.jobs.openModel(param(req, 'job_id'), param(req, 'file_id'), access);
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
    await sendBody(model.stream, req, res, opts.logger);
  });
}

export function createPreviewDownloadHandler(opts: DownloadOptions): RequestHandler {
  return guarded(opts, async (req, res) => {
    const preview = await opts.jobs.openPreview(param(req, 'job_id'), param(req, 'file_id'), accessOf(req, res));
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(preview.size), 'Cache-Control': 'private, max-age=3600' });
    await sendBody(preview.stream, req, res, opts.logger);
  });
}

/**
 * A streamed ZIP of every completed model in `?format=` (default GLB): each model is read (or
 * converted, at the default size, and stored) as the archive is written, so memory stays flat.
 */
export function createZipDownloadHandler(opts: DownloadOptions): RequestHandler {
  return guarded(opts, async (req, res) => {
    const access = accessOf(req, res);
    const format = formatOf(req);
    const jobId = param(req, 'job_id');
    const { job, models } = await opts.jobs.listCompletedModels(jobId, access);
    const layout = zipLayout(models, format);
    const manifest = {
      job_id: job.job.job_id,
      created_at: job.job.created_at,
      format,
      files: job.files.map((file) => ({
        file_id: file.file_id,
        name: file.filename,
        model: layout.get(file.file_id)?.model ?? null,
        status: file.status,
        face_limit: file.face_limit,
        model_task_id: file.model_task_id,
        error: file.error,
        warnings: file.warnings,
        shape: file.shape,
        ...(file.views ? { views: viewFilenames(file.views) } : {}),
      })),
    };
    // Loaded on the first ZIP download rather than at start (BENCHMARKS.md, "cold start").
    const { ZipArchive } = await import('archiver');
    const archive = new ZipArchive({ store: true });
    res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Disposition': contentDisposition(`${job.job.job_id}.zip`) });
    // One entry at a time: archiver starts reading every stream as soon as it is appended, so the
    // next one is appended (its file opened, or its model converted) only once the previous entry is written.
    const entries = zipEntries({ jobs: opts.jobs, jobId, access, format, models, layout });
    let current: Readable | null = null;
    let finished = false;
    const appendNext = async (): Promise<void> => {
      const next = await entries.next();
      if (next.done) {
        finished = true;
        current = null;
        archive.append(JSON.stringify(manifest, null, 2), { name: 'manifest.json' });
        // Its errors reach the pipeline; a client gone mid-way leaves it unsettled, so it is not awaited.
        archive.finalize().catch(() => undefined);
        return;
      }
      current = next.value.source instanceof Readable ? next.value.source : null;
      archive.append(next.value.source, { name: next.value.name });
    };
    // A conversion failing part-way cannot change the status any more: the archive ends broken, and the log says why.
    const appendOrFail = (): void => {
      appendNext().catch((error: unknown) => archive.destroy(error instanceof Error ? error : new Error(String(error))));
    };
    archive.on('entry', () => {
      if (!finished) appendOrFail();
    });
    appendOrFail();
    try {
      await sendBody(archive, req, res, opts.logger);
    } finally {
      // The model being read when a client left, and its open file, go with the response.
      (current as Readable | null)?.destroy();
      void entries.return(undefined);
    }
  });
}
