import { Readable } from 'node:stream';

import { AppError } from '../errors.js';
import { MODEL_FORMAT_FILES, type ModelFormat } from '../limits.js';
import type { Logger } from '../logger.js';
import type { PrintReport } from '../print-report.js';
import type { BlobStorage } from '../storage/blob-storage.js';
import type { JobFileRecord } from './job.js';
import { fileStem, storageKeys } from './storage-keys.js';

/** Port: a GLB in another format, or its print-readiness report (the server wires @image2model/formats' worker pool). */
export interface ModelConverter {
  convert(glb: Uint8Array, options: { format: Exclude<ModelFormat, 'glb'>; heightMm?: number; name: string }): Promise<Uint8Array>;
  report(glb: Uint8Array, options: { heightMm?: number }): Promise<PrintReport>;
}

export interface ConvertedModelRequest {
  format: Exclude<ModelFormat, 'glb'>;
  /** STL and 3MF only; undefined = the default size, which is the one stored. */
  heightMm?: number;
}

export interface ConvertedModel {
  stream: Readable;
  size: number;
  filename: string;
  contentType: string;
}

/**
 * Conversions of completed models. At the default size each file and format is converted once and
 * stored beside the model (storageKeys.conversion, under the job's prefix: the job's one deletion
 * path deletes it, on disk and in a bucket alike); concurrent first requests share one conversion.
 * The key names the file's generation, so a regenerated model is converted afresh; the task that
 * stores it deletes the older generations' (deleteOlderDerivatives).
 * Other heights are converted per request and never stored, so no client can fill the disk with
 * variants. Print-readiness reports follow the same rules (stored as `.g<generation>.report.json`).
 */
export function createConvertedModels(deps: { storage: BlobStorage; converter: ModelConverter; logger: Logger }) {
  const { storage, converter, logger } = deps;
  const converting = new Map<string, Promise<Buffer>>();

  async function convert(file: JobFileRecord & { model_key: string }, request: ConvertedModelRequest): Promise<Buffer> {
    const glb = await storage.read(file.model_key);
    const options = { format: request.format, name: fileStem(file.filename, file.file_id), ...(request.heightMm !== undefined ? { heightMm: request.heightMm } : {}) };
    try {
      return Buffer.from(await converter.convert(glb, options));
    } catch (error) {
      throw new AppError('PROCESSING_ERROR', `The model could not be converted to ${request.format.toUpperCase()}`, { cause: error });
    }
  }

  async function report(file: JobFileRecord & { model_key: string }, heightMm: number | undefined): Promise<PrintReport> {
    const glb = await storage.read(file.model_key);
    try {
      return await converter.report(glb, heightMm !== undefined ? { heightMm } : {});
    } catch (error) {
      throw new AppError('PROCESSING_ERROR', 'The model could not be read for its print report', { cause: error });
    }
  }

  /**
   * The bytes under `key`, made on first request and stored; `{ size }` when they are stored
   * already (the caller reads them as it needs). Concurrent first requests share one making; one
   * that outlived its job (the model at `modelKey` gone) is removed again.
   */
  async function storedOnce(key: string, modelKey: string, make: () => Promise<Buffer>, logged: Record<string, unknown>): Promise<Buffer | { size: number }> {
    const size = (await storage.stat(key))?.size;
    if (size !== undefined) return { size };
    let pending = converting.get(key);
    if (!pending) {
      pending = make().then(async (bytes) => {
        await storage.write(key, bytes);
        // The job was deleted while this ran: its prefix is gone, so this must not outlive it.
        if ((await storage.stat(modelKey)) === null) {
          await storage.deletePrefix(key);
          throw new AppError('NOT_FOUND', 'Model not found');
        }
        logger.info({ ...logged, bytes: bytes.length }, 'Model conversion stored');
        return bytes;
      });
      converting.set(key, pending);
      void pending.then(
        () => converting.delete(key),
        () => converting.delete(key),
      );
    }
    return pending;
  }

  /** The default-size conversion: stored on first request, read from storage after. */
  async function stored(jobId: string, file: JobFileRecord & { model_key: string }, request: ConvertedModelRequest): Promise<{ stream: Readable; size: number }> {
    const key = storageKeys.conversion(jobId, file.file_id, file.generation, MODEL_FORMAT_FILES[request.format].extension);
    const found = await storedOnce(key, file.model_key, () => convert(file, request), { job_id: jobId, file_id: file.file_id, format: request.format });
    return Buffer.isBuffer(found) ? { stream: Readable.from([found]), size: found.length } : { stream: storage.createReadStream(key), size: found.size };
  }

  /** The completed file's stored model key; NOT_FOUND when only the provider's copy exists. */
  async function withModel(file: JobFileRecord): Promise<JobFileRecord & { model_key: string }> {
    const modelKey = file.model_key;
    if (modelKey === null || (await storage.stat(modelKey)) === null) throw new AppError('NOT_FOUND', 'Model not found');
    return { ...file, model_key: modelKey };
  }

  return {
    async open(jobId: string, file: JobFileRecord, request: ConvertedModelRequest): Promise<ConvertedModel> {
      const withKey = await withModel(file);
      const { extension, contentType } = MODEL_FORMAT_FILES[request.format];
      const filename = `${fileStem(file.filename, file.file_id)}${extension}`;
      if (request.heightMm === undefined) return { ...(await stored(jobId, withKey, request)), filename, contentType };
      const bytes = await convert(withKey, request);
      return { stream: Readable.from([bytes]), size: bytes.length, filename, contentType };
    },

    /** The print-readiness report: at the default size stored (storageKeys.printReport), at another height computed per request. */
    async printReport(jobId: string, file: JobFileRecord, heightMm: number | undefined): Promise<PrintReport> {
      const withKey = await withModel(file);
      if (heightMm !== undefined) return report(withKey, heightMm);
      const make = async (): Promise<Buffer> => Buffer.from(JSON.stringify(await report(withKey, undefined)));
      const key = storageKeys.printReport(jobId, file.file_id, file.generation);
      const found = await storedOnce(key, withKey.model_key, make, { job_id: jobId, file_id: file.file_id, format: 'report' });
      const bytes = Buffer.isBuffer(found) ? found : await storage.read(key);
      return JSON.parse(bytes.toString('utf8')) as PrintReport;
    },
  };
}
