import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import { AppError, MAX_WEBHOOK_URL_LENGTH, storageFullError, viewFilenames, type Idempotency, type JobService, type TripoOptions } from '@image2model/core';
import { MAX_FACE_LIMIT, MIN_FACE_LIMIT } from '@image2model/core/limits';
import { fieldIssues, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, readIdempotencyKeyHeader, TRIPO_OPTION_FIELDS, TripoFormFieldsSchema } from '@image2model/api';
import type { Logger } from 'pino';
import { identityOf } from './identity.js';
import { sendError } from './error-handler.js';
import { newUploadTempName } from '../process/data-dir.js';
import { uploadFingerprint } from './upload-fingerprint.js';
import type { UploadForm } from './upload-forms.js';

export interface UploadOptions {
  jobs: JobService;
  idempotency: Idempotency;
  uploadTempDir: string;
  maxFileSizeMb: number;
  maxImagePixels: number;
  logger: Logger;
}

function parseFaceLimit(raw: unknown): number | null {
  if (raw === undefined) return null;
  const range = `an integer from ${MIN_FACE_LIMIT} to ${MAX_FACE_LIMIT}`;
  if (typeof raw !== 'string' || !/^\d{1,7}$/.test(raw.trim())) {
    throw new AppError('VALIDATION_ERROR', `face_limit must be ${range}`, { details: { field: 'face_limit' } });
  }
  const value = Number(raw.trim());
  if (value < MIN_FACE_LIMIT || value > MAX_FACE_LIMIT) {
    throw new AppError('VALIDATION_ERROR', `face_limit must be ${range}`, { details: { field: 'face_limit' } });
  }
  return value;
}

/** The optional `webhook_url` field, as sent; the job service checks it (as it does for every transport). */
function parseWebhookUrlField(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') {
    throw new AppError('VALIDATION_ERROR', 'webhook_url must be sent once, as a text field', { details: { field: 'webhook_url', reason: 'must be sent once, as a text field' } });
  }
  return raw;
}

/** The optional FAL Tripo form fields (`texture`, `pbr`, `seed`, …), validated; undefined when none was sent. */
function parseTripoOptions(body: Record<string, unknown> | undefined): TripoOptions | undefined {
  const sent = Object.fromEntries(TRIPO_OPTION_FIELDS.filter((field) => body?.[field] !== undefined).map((field) => [field, body?.[field]]));
  if (Object.keys(sent).length === 0) return undefined;
  const parsed = TripoFormFieldsSchema.safeParse(sent);
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error.issues);
    const first = issues[0];
    throw new AppError('VALIDATION_ERROR', `Invalid ${first?.field ?? 'option'}: ${first?.message ?? 'invalid value'}`, {
      details: { field: first?.field ?? null, issues },
    });
  }
  return parsed.data;
}

function fromMulterError(error: MulterError, opts: UploadOptions, form: UploadForm): AppError {
  const file = (error as MulterError & { filename?: string }).filename ?? error.field ?? 'upload';
  switch (error.code) {
    case 'LIMIT_FILE_SIZE':
      return new AppError('FILE_TOO_LARGE', `File too large: ${file} exceeds ${opts.maxFileSizeMb} MB`, {
        details: { file, max_size_mb: opts.maxFileSizeMb },
      });
    case 'LIMIT_FILE_COUNT':
      return form.tooManyFiles();
    default:
      return new AppError('VALIDATION_ERROR', `Malformed multipart upload (${error.message})`);
  }
}

/**
 * A multipart upload that creates one job (`POST /api/v1/upload/batch`, `POST
 * /api/v1/upload/multiview`; the form says which file fields it takes and what files of the job
 * they make): multer streams every part straight to a temp file on the data disk (never a whole
 * upload in memory); then each photo is checked by content, and the job is created only if every
 * photo passes. Any failure deletes every temp file: nothing is half-stored. With an
 * `Idempotency-Key`, the same upload again gets the first answer back (its temp files deleted,
 * nothing created), and a changed one 422.
 */
export function createUploadHandler(opts: UploadOptions, form: UploadForm): RequestHandler {
  mkdirSync(opts.uploadTempDir, { recursive: true });
  // Every temp path a request was given. multer forgets a file whose write failed (ENOSPC mid-part
  // leaves it half-written on disk), so on failure we remove what we named, not what multer reports.
  const tempPaths = new WeakMap<Request, string[]>();
  const storage: multer.DiskStorageOptions & { flush: boolean } = {
    destination: opts.uploadTempDir,
    filename: (req, _file, cb) => {
      const name = newUploadTempName();
      const paths = tempPaths.get(req) ?? [];
      paths.push(join(opts.uploadTempDir, name));
      tempPaths.set(req, paths);
      cb(null, name);
    },
    // Each part is fsynced as soon as it is complete, while the next parts are still arriving: the
    // job's moveIn must have every photo durable before committing, and would otherwise flush the
    // whole batch one photo after another once the body has ended (moveIn still syncs; by then it
    // finds nothing left to write). (@types/multer does not declare multer 2.5's `flush` yet.)
    flush: true,
  };
  const upload = multer({
    storage: multer.diskStorage(storage),
    defParamCharset: 'utf8',
    limits: {
      fileSize: Math.floor(opts.maxFileSizeMb * 1024 * 1024),
      files: form.maxFiles,
      fields: 20,
      // Room for the longest webhook URL accepted, in UTF-8's worst case; its own check says why one is too long.
      fieldSize: MAX_WEBHOOK_URL_LENGTH * 4,
      parts: form.maxFiles + 20,
      headerPairs: 100,
    },
    fileFilter: (req, file, cb) => {
      // Refused at the part's headers, before its bytes are stored.
      const refusal = form.refuseField(file.fieldname, req);
      if (refusal) cb(refusal);
      else cb(null, true);
    },
  }).any();

  const receive = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => upload(req, res, (error?: unknown) => (error ? reject(error) : resolve())));

  return async function handleUpload(req, res) {
    const identity = identityOf(res);
    if (identity.principal === null) {
      const message = identity.credentialsPresent ? 'Invalid API key' : 'Missing API key: send Authorization: Bearer <key>';
      sendError(res, new AppError('AUTHENTICATION_REQUIRED', message), opts.logger);
      return;
    }
    const { owner } = identity.principal;
    let key: string | null;
    try {
      key = readIdempotencyKeyHeader(req.get(IDEMPOTENCY_KEY_HEADER));
    } catch (error) {
      sendError(res, error as AppError, opts.logger);
      return;
    }
    const discard = () => Promise.all((tempPaths.get(req) ?? []).map((path) => rm(path, { force: true })));
    try {
      await receive(req, res);
    } catch (error) {
      await discard();
      const appError =
        error instanceof MulterError
          ? fromMulterError(error, opts, form)
          : error instanceof AppError
            ? error
            : (storageFullError(error) ?? new AppError('VALIDATION_ERROR', 'Upload interrupted or malformed'));
      sendError(res, appError, opts.logger);
      return;
    }
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    try {
      const fields = req.body as Record<string, unknown> | undefined;
      const faceLimit = parseFaceLimit(fields?.face_limit);
      const tripoOptions = parseTripoOptions(fields);
      const webhookUrl = parseWebhookUrlField(fields?.webhook_url);
      form.checkFiles(files);
      const createJob = async () => {
        const images = await form.toJobFiles(files, opts.maxImagePixels);
        const { job, files: created } = await opts.jobs.createJob({
          owner,
          face_limit: faceLimit,
          images,
          ...(tripoOptions ? { tripo_options: tripoOptions } : {}),
          ...(webhookUrl !== undefined ? { webhook_url: webhookUrl } : {}),
        });
        opts.logger.info({ job_id: job.job_id, files: created.length }, `Created job ${job.job_id} with ${created.length} file(s)`);
        const body = {
          job_id: job.job_id,
          session_id: job.session_id,
          files: created.map((f) => {
            const views = viewFilenames(f.views);
            return { file_id: f.file_id, filename: f.filename, status: f.status, ...(views ? { views } : {}) };
          }),
          total_files: created.length,
          status: 'processing',
        };
        return { status: 200, body };
      };
      // The fingerprint needs every file's bytes, so it is taken once the whole body has arrived.
      const fingerprint = key === null ? '' : await uploadFingerprint(form.operation, form.fingerprintFiles(files), { face_limit: faceLimit, webhook_url: webhookUrl, ...tripoOptions });
      const outcome = await opts.idempotency.run({ owner, key, fingerprint }, createJob);
      if (outcome.replayed) {
        // The same upload was answered before: its copy of the files is not needed.
        await discard();
        res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
        opts.logger.info({ job_id: outcome.body.job_id }, `Replayed the answer of an earlier upload (job ${outcome.body.job_id}): nothing created`);
      }
      res.status(outcome.status).json(outcome.body);
    } catch (error) {
      await discard();
      const appError = error instanceof AppError ? error : (storageFullError(error) ?? new AppError('PROCESSING_ERROR', 'Upload failed', { cause: error }));
      sendError(res, appError, opts.logger);
    }
  };
}

