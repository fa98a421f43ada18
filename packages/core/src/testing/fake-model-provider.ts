import { readFileSync } from 'node:fs';
import type { FileWarning, ModelShape } from '../jobs/file-warnings.js';
import type { GenerationHooks, GenerationRequest, GenerationResult, ModelProvider, ProviderHealth } from '../providers/model-provider.js';
import { mapViews, type ViewName } from '../jobs/job.js';
import { localPhoto, type PhotoSource } from '../providers/photo-source.js';

export interface FakeModelProviderOptions {
  /** @default 'local' */
  name?: 'local' | 'fal';
  /** Mint `task_fake_<n>` ids at enqueue time (like local); otherwise hand out `req_fake_<n>` on the first call (like FAL). @default true */
  mintTaskIds?: boolean;
  /** Progress values reported during each call. @default [25, 50, 75] */
  progressSteps?: number[];
  /** Warnings returned (and logged as warnings) by each successful call. @default [] */
  warnings?: FileWarning[];
  /** The shape each successful call reports. @default null (as FAL: says nothing) */
  shape?: ModelShape | null;
  /** Whether successful calls return a preview PNG. @default true */
  preview?: boolean;
  /** A provider-side model URL returned with each result (like FAL's CDN link). @default none */
  remoteModelUrl?: string;
}

export interface FakeCall {
  job_id: string;
  file_id: string;
  face_limit: number | null;
  existing_task_id: string | null;
  /** The photo's bytes (the job service hands over its stored file, read here). */
  image: Buffer;
  /** A multiview file's views, each view's bytes. */
  views?: Partial<Record<ViewName, Buffer>>;
}

/**
 * A scriptable ModelProvider for tests: hold calls back until released, fail the next calls with
 * a given error, and inspect every call made.
 *
 * @example
 * const provider = new FakeModelProvider();
 * provider.hold();
 * // … enqueue work, assert it is processing …
 * provider.release();
 */
export class FakeModelProvider implements ModelProvider {
  readonly name: 'local' | 'fal';
  readonly calls: FakeCall[] = [];
  readonly mintTaskId: (() => string) | undefined;
  private readonly opts: Required<Omit<FakeModelProviderOptions, 'name' | 'mintTaskIds' | 'remoteModelUrl'>> & { remoteModelUrl?: string };
  private readonly failures: Error[] = [];
  private held: { promise: Promise<void>; release: () => void } | null = null;
  private readonly callWaiters: { count: number; resolve: () => void }[] = [];
  private minted = 0;
  private submitted = 0;
  healthStatus: ProviderHealth = 'not_configured';

  constructor(opts: FakeModelProviderOptions = {}) {
    this.name = opts.name ?? 'local';
    this.mintTaskId = opts.mintTaskIds === false ? undefined : () => `task_fake_${++this.minted}`;
    this.opts = {
      progressSteps: opts.progressSteps ?? [25, 50, 75],
      warnings: opts.warnings ?? [],
      shape: opts.shape ?? null,
      preview: opts.preview ?? true,
      ...(opts.remoteModelUrl ? { remoteModelUrl: opts.remoteModelUrl } : {}),
    };
  }

  /** Calls from now on wait (after reporting their task id) until `release()`. */
  hold(): void {
    if (this.held) return;
    let release = (): void => undefined;
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held = { promise, release };
  }

  release(): void {
    this.held?.release();
    this.held = null;
  }

  /** The next `times` calls throw `error` (after reporting their task id). */
  failNext(error: Error, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(error);
  }

  /** Resolves once at least `count` calls have started. */
  waitForCalls(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.callWaiters.push({ count, resolve }));
  }

  async generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationResult> {
    this.calls.push({
      job_id: request.job_id,
      file_id: request.file_id,
      face_limit: request.face_limit,
      existing_task_id: request.existing_task_id,
      // Read synchronously, so calls keep their order (`failNext` fails the first one).
      image: bytesOf(request.image),
      ...(request.views ? { views: mapViews(request.views, bytesOf) } : {}),
    });
    for (const waiter of this.callWaiters.filter((w) => this.calls.length >= w.count)) {
      this.callWaiters.splice(this.callWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (request.existing_task_id === null) await hooks.onTaskId(`req_fake_${++this.submitted}`);
    if (this.held) await abortable(this.held.promise, request.signal);
    request.signal.throwIfAborted();
    const failure = this.failures.shift();
    if (failure) throw failure;
    for (const step of this.opts.progressSteps) hooks.onProgress(step);
    hooks.onLog('Fake generation finished');
    for (const warning of this.opts.warnings) hooks.onLog(warning.message, 'warning');
    return {
      glb: Buffer.from(`glTF fake model for ${request.job_id}/${request.file_id}`),
      ...(this.opts.preview ? { preview: Buffer.from('fake png') } : {}),
      ...(this.opts.remoteModelUrl ? { remote_model_url: this.opts.remoteModelUrl } : {}),
      warnings: this.opts.warnings.map((warning) => ({ ...warning })),
      shape: this.opts.shape,
    };
  }

  async health(): Promise<ProviderHealth> {
    return this.healthStatus;
  }
}

function abortable(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
}

function bytesOf(photo: PhotoSource): Buffer {
  const local = localPhoto(photo);
  return Buffer.isBuffer(local) ? local : readFileSync(local);
}
