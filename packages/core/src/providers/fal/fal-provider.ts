import type { FalClient } from '@fal-ai/client';
import { AppError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { CancelOptions, CancelOutcome, GenerationHooks, GenerationRequest, GenerationResult, ModelProvider, ProviderHealth } from '../model-provider.js';
import { photoBlob, photoHead, type PhotoSource } from '../photo-source.js';
import { cancelFalRequest } from './fal-cancel.js';
import { checkedUploadFetch, checkGlb, downloadFalFile, imageKind } from './fal-download.js';
import type { FalFailure } from './fal-errors.js';
import { FalProgressReporter, type FalStatusView } from './fal-progress.js';
import { DEFAULT_FAL_RETRY, sleep, withFalRetry, type FalRetryOptions, type ResolvedRetry } from './fal-retry.js';
import { createFalTransport, FalHttpError, type FalTransport } from './fal-transport.js';
import type { ViewSet } from '../../jobs/job.js';
import { buildTripoInput, buildTripoMultiviewInput, describeImage, TRIPO_ENDPOINT, TRIPO_MULTIVIEW_ENDPOINT } from './tripo-input.js';

export interface FalProviderOptions {
  /** FAL_KEY. */
  apiKey: string;
  /** FAL_BASE_URL: every FAL request (queue, storage, CDN) goes to this origin instead, path and query unchanged. */
  baseUrl?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Time limit of one queue or storage request. @default 30_000 */
  requestTimeoutMs?: number;
  /** Time limit of one model or preview download. @default 300_000 */
  downloadTimeoutMs?: number;
  /** Backoff of transient failures, per FAL call. @default { maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 30_000 } */
  retry?: FalRetryOptions;
  /** Between two status requests. @default 1000 */
  pollIntervalMs?: number;
  /** A request not completed after this long fails the file (FAL is asked to cancel it). @default 3_600_000 */
  maxWaitMs?: number;
  /** @default 200 MiB */
  maxModelBytes?: number;
  /** @default 20 MiB */
  maxPreviewBytes?: number;
  /** How long a health answer is reused. @default 10_000 */
  healthTtlMs?: number;
  /** @default 5_000 */
  healthTimeoutMs?: number;
  /** Turns FAL's rendered image (often WebP or JPEG) into the PNG our preview route serves; without it, only PNGs are kept. */
  convertPreview?: (image: Buffer) => Promise<Buffer>;
  logger?: Logger;
}

/** A request id no FAL request can have: the health probe's status request is answered with a 404. */
const PROBE_REQUEST_ID = '00000000-0000-0000-0000-000000000000';

/**
 * The production provider: FAL's Tripo v2.5 through `@fal-ai/client`, one client per provider (one
 * per process). Per file: upload the photo to FAL storage → submit → persist the request id at once
 * (`hooks.onTaskId`) → poll status with logs → fetch the result → copy the GLB (and the rendered
 * preview) into our storage. A file that already has a request id is resumed, never submitted again.
 * A multiview file uploads each of its views and is submitted to Tripo's multiview endpoint; the
 * rest is the same.
 *
 * @example
 * const provider = new FalProvider({ apiKey: env.FAL_KEY, baseUrl: env.FAL_BASE_URL });
 */
export class FalProvider implements ModelProvider {
  readonly name = 'fal' as const;
  private clientLoad: Promise<FalClient> | null = null;
  private readonly transport: FalTransport;
  private readonly retry: ResolvedRetry;
  private readonly logger: Logger;
  private health_: { value: ProviderHealth; at: number } | null = null;
  private probe: Promise<ProviderHealth> | null = null;

  constructor(private readonly opts: FalProviderOptions) {
    if (!opts.apiKey) throw new Error('FalProvider needs an API key (FAL_KEY)');
    this.transport = createFalTransport({ baseUrl: opts.baseUrl, fetch: opts.fetch, timeoutMs: opts.requestTimeoutMs ?? 30_000 });
    this.retry = { ...DEFAULT_FAL_RETRY, ...opts.retry };
    this.logger = opts.logger ?? silentLogger;
  }

  async generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationResult> {
    const { signal } = request;
    signal.throwIfAborted();
    const client = await this.client();
    // Several views of one object go to Tripo's multiview endpoint, each view's photo by its own URL.
    const endpoint = request.views ? TRIPO_MULTIVIEW_ENDPOINT : TRIPO_ENDPOINT;
    let requestId = resumableRequestId(request.existing_task_id);
    if (requestId !== null) {
      hooks.onLog(`Resuming FAL request ${requestId} (it is not submitted again)`);
    } else {
      const input = request.views
        ? buildTripoMultiviewInput(request, await this.viewUrls(client, request.views, request.file_id, hooks, signal))
        : buildTripoInput(request, await this.photoUrl(client, request.image, request.file_id, hooks, signal));
      const submitted = await this.call('submitting the request to FAL', hooks, signal, () => client.queue.submit(endpoint, { input, abortSignal: signal }));
      if (typeof submitted.request_id !== 'string' || submitted.request_id.length === 0) {
        throw new AppError('FAL_API_ERROR', 'FAL accepted the request but returned no request id', { retryable: false });
      }
      requestId = submitted.request_id;
      // Persisted before anything else happens: from here on, a restart resumes this request.
      await hooks.onTaskId(requestId);
      hooks.onLog(`Submitted to FAL (request ${requestId})`);
    }
    const id = requestId;
    await this.follow(client, endpoint, id, hooks, signal);
    const output = await this.call(`fetching the result of FAL request ${id}`, hooks, signal, () => client.queue.result(endpoint, { requestId: id, abortSignal: signal }));
    const model = modelFileOf(output.data);
    hooks.onLog('Copying the model from FAL');
    const glb = await this.call('downloading the model from FAL', hooks, signal, async () => {
      const bytes = await downloadFalFile(this.transport, model.url, {
        maxBytes: this.opts.maxModelBytes ?? 200 * 1048576,
        timeoutMs: this.opts.downloadTimeoutMs ?? 300_000,
        signal,
        what: 'the model',
      });
      checkGlb(bytes);
      return bytes;
    });
    const preview = await this.preview(output.data, hooks, signal);
    return { glb, ...(preview ? { preview } : {}), remote_model_url: model.url, warnings: [], shape: null };
  }

  /**
   * `fal.queue.cancel` on the file's FAL request, at the endpoint it was submitted to. The status is
   * read first, because FAL answers a queued and a running request's cancel alike and only the
   * running one may be billed (see `cancelFalRequest`). Each call is retried like any FAL call,
   * until `options.signal` gives up; a failure is an `unknown` outcome, never a throw.
   */
  async cancel(taskId: string, options: CancelOptions = {}): Promise<CancelOutcome> {
    const requestId = resumableRequestId(taskId);
    if (requestId === null) {
      return { state: 'not_submitted', may_be_billed: false, message: 'The file had not been submitted to FAL: there was nothing to cancel, and nothing is billed' };
    }
    const signal = options.signal ?? new AbortController().signal;
    try {
      const client = await this.client();
      return await cancelFalRequest(requestId, { client, retry: this.retry, signal, logger: this.logger });
    } catch (error) {
      // Only loading the client can land here: cancelFalRequest turns every FAL failure into an outcome.
      this.logger.warn({ err: error }, 'Cancelling a FAL request failed');
      return { state: 'unknown', may_be_billed: true, message: `FAL request ${requestId} could not be cancelled (the FAL client did not load): it may still run and be billed` };
    }
  }

  /** `reachable` once FAL answered a real (cheap) request: the status of a request id that cannot exist. */
  async health(): Promise<ProviderHealth> {
    const ttl = this.opts.healthTtlMs ?? 10_000;
    if (this.health_ && Date.now() - this.health_.at < ttl) return this.health_.value;
    this.probe ??= this.probeFal().then((value) => {
      this.health_ = { value, at: Date.now() };
      this.probe = null;
      return value;
    });
    return this.probe;
  }

  /** Loads the FAL client ahead of the first file (the runtime calls it when the worker starts). */
  async warmUp(): Promise<void> {
    await this.client();
  }

  async close(): Promise<void> {
    this.health_ = null;
  }

  /**
   * `@fal-ai/client`, loaded on first use: a server without FAL_KEY never pays for importing it,
   * and one with it pays once, off the start-up path of everything else.
   */
  private client(): Promise<FalClient> {
    this.clientLoad ??= import('@fal-ai/client').then(({ createFalClient }) =>
      // The client's own retries stay off: our transport hands it no failure it would retry.
      createFalClient({ credentials: this.opts.apiKey, fetch: checkedUploadFetch(this.transport), retry: { maxRetries: 0 } }),
    );
    return this.clientLoad;
  }

  private async probeFal(): Promise<ProviderHealth> {
    try {
      const client = await this.client();
      await client.queue.status(TRIPO_ENDPOINT, {
        requestId: PROBE_REQUEST_ID,
        logs: false,
        abortSignal: AbortSignal.timeout(this.opts.healthTimeoutMs ?? 5_000),
      });
      return 'reachable';
    } catch (error) {
      if (error instanceof FalHttpError && error.status < 500) {
        if (error.status === 401 || error.status === 403) this.logger.warn({ fal_status: error.status }, 'FAL is reachable but rejects FAL_KEY');
        return 'reachable';
      }
      this.logger.warn({ err: error }, 'FAL is unreachable');
      return 'unreachable';
    }
  }

  /**
   * The URL FAL reads a photo from: the presigned bucket URL it was handed (S3_PUBLIC_READS=presigned),
   * else the photo uploaded to FAL storage.
   */
  private async photoUrl(client: FalClient, image: PhotoSource, fileId: string, hooks: GenerationHooks, signal: AbortSignal): Promise<string> {
    if (!Buffer.isBuffer(image) && 'url' in image) return image.url;
    const { type, name } = describeImage(await photoHead(image), fileId);
    // Read from disk as it is sent (and again on a retry), never held whole in memory.
    return this.call('uploading the image to FAL storage', hooks, signal, async () => client.storage.upload(new File([await photoBlob(image, type)], name, { type })));
  }

  /** Each view's URL, one `photoUrl` per view, in turn (each upload is retried on its own). */
  private async viewUrls(client: FalClient, views: ViewSet<PhotoSource>, fileId: string, hooks: GenerationHooks, signal: AbortSignal): Promise<ViewSet<string>> {
    const urls: ViewSet<string> = { front: await this.photoUrl(client, views.front, `${fileId}_front`, hooks, signal) };
    for (const view of ['left', 'back', 'right'] as const) {
      const photo = views[view];
      if (photo !== undefined) urls[view] = await this.photoUrl(client, photo, `${fileId}_${view}`, hooks, signal);
    }
    return urls;
  }

  /** Polls the request's status (with logs) until COMPLETED, relaying queue position, logs and progress. */
  private async follow(client: FalClient, endpoint: string, requestId: string, hooks: GenerationHooks, signal: AbortSignal): Promise<void> {
    const reporter = new FalProgressReporter(hooks);
    const maxWaitMs = this.opts.maxWaitMs ?? 3_600_000;
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const status = (await this.call(`following FAL request ${requestId}`, hooks, signal, () =>
        client.queue.status(endpoint, { requestId, logs: true, abortSignal: signal }),
      ).catch((error: unknown) => {
        if (error instanceof AppError && error.opts.details?.fal_status === 404) {
          throw new AppError('FAL_API_ERROR', `FAL no longer knows request ${requestId} (HTTP 404); generate the file again`, { cause: error, retryable: false });
        }
        throw error;
      })) as FalStatusView;
      reporter.update(status);
      if (status.status === 'COMPLETED') return;
      if (Date.now() > deadline) {
        const cancelled = await this.cancel(requestId, { signal });
        hooks.onLog(cancelled.message, 'warning');
        throw new AppError('FAL_API_ERROR', `FAL did not complete request ${requestId} within ${Math.round(maxWaitMs / 60_000)} minutes; it was asked to cancel it`, {
          retryable: false,
        });
      }
      await sleep(this.opts.pollIntervalMs ?? 1000, signal);
    }
  }

  /** FAL's rendered image as our PNG preview; a preview that cannot be had never fails the file. */
  private async preview(output: unknown, hooks: GenerationHooks, signal: AbortSignal): Promise<Buffer | null> {
    const url = fileUrlOf(output, 'rendered_image');
    if (url === null) return null;
    try {
      const bytes = await withFalRetry(
        () => downloadFalFile(this.transport, url, { maxBytes: this.opts.maxPreviewBytes ?? 20 * 1048576, timeoutMs: 60_000, signal, what: 'the preview' }),
        { what: 'downloading the preview', policy: { ...this.retry, maxRetries: Math.min(2, this.retry.maxRetries) }, signal },
      );
      const kind = imageKind(bytes);
      if (kind === 'png') return bytes;
      if (kind !== 'other' && this.opts.convertPreview) return await this.opts.convertPreview(bytes);
      hooks.onLog(`FAL's preview image (${kind}) is not a PNG; the model has no preview`, 'warning');
    } catch (error) {
      if (signal.aborted) throw error;
      this.logger.warn({ err: error }, 'FAL preview unusable');
      hooks.onLog("FAL's preview image could not be copied; the model has no preview", 'warning');
    }
    return null;
  }

  /** One FAL call under the retry policy, telling the file's log about each retry. */
  private call<T>(what: string, hooks: GenerationHooks, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
    const onRetry = (failure: FalFailure, attempt: number, delayMs: number): void => {
      this.logger.warn({ err: failure.original, attempt, delay_ms: Math.round(delayMs) }, `FAL call failed while ${what}; retrying`);
      hooks.onLog(
        `FAL ${failure.status === null ? 'did not answer' : 'answered'} (${failure.reason}) while ${what}; retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${this.retry.maxRetries + 1})`,
        'warning',
      );
    };
    return withFalRetry(run, { what, policy: this.retry, signal, onRetry });
  }
}

/** Ids we minted for the local generator (`task_…`) are not FAL requests: those files are submitted. */
function resumableRequestId(existing: string | null): string | null {
  if (existing === null || existing.length === 0 || existing.startsWith('task_')) return null;
  return existing;
}

function fileUrlOf(output: unknown, field: string): string | null {
  const file = (output as Record<string, unknown> | null)?.[field] as { url?: unknown } | undefined;
  return typeof file?.url === 'string' && file.url.length > 0 ? file.url : null;
}

/** `model_mesh`, else the PBR or base model FAL may return instead. */
function modelFileOf(output: unknown): { url: string } {
  for (const field of ['model_mesh', 'pbr_model', 'base_model']) {
    const url = fileUrlOf(output, field);
    if (url !== null) return { url };
  }
  throw new AppError('FAL_API_ERROR', 'FAL completed the request but its result has no model file', { retryable: false });
}
