import type { ClientConfig } from './config.js';
import { Image2ModelError, unexpectedResponse } from './errors.js';
import { send } from './http.js';
import { newIdempotencyKey, withIdempotentRetries } from './idempotent-retry.js';
import type { UploadResponse } from './generated/api-types.js';

type Bytes = Blob | Uint8Array | ArrayBuffer;

/** One image to upload, with the name the job will show for it. */
export interface NamedUploadSource {
  name: string;
  /** The image, or (in Node) a path to it. */
  data: Bytes | string;
}

/**
 * An image to upload: a path (Node), a `File` or `Blob` (browser), bytes (`Buffer`, `Uint8Array`,
 * `ArrayBuffer`), or any of these with a name. Unnamed bytes are called `image-1.png`, … .
 */
export type UploadSource = string | Bytes | NamedUploadSource;

export interface UploadOptions {
  /** Maximum triangles per model, an integer from 4 to 200,000. @default the server's (10,000 locally) */
  faceLimit?: number | undefined;
  /**
   * Where the job's webhook events go (the `webhook_url` field): `https://` and a public host,
   * unless the server allows otherwise. @default the server's `WEBHOOK_URL`, if any
   */
  webhookUrl?: string | undefined;
  /**
   * The upload's Idempotency-Key: the same upload sent again with it within 24 h gets the first
   * answer back and creates no second job. @default a fresh random key for each `upload()` call,
   * which its own retries (after a network error or a 5xx, see `retry`) send again
   */
  idempotencyKey?: string | undefined;
  signal?: AbortSignal | undefined;
}

export function isNamed(source: unknown): source is NamedUploadSource {
  return typeof source === 'object' && source !== null && !(source instanceof Blob) && !ArrayBuffer.isView(source) && !(source instanceof ArrayBuffer) && 'data' in source;
}

function isSingle(sources: UploadSource | Iterable<UploadSource>): sources is UploadSource {
  return typeof sources === 'string' || sources instanceof Blob || ArrayBuffer.isView(sources) || sources instanceof ArrayBuffer || isNamed(sources);
}

function extensionOf(head: Uint8Array): string {
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return '.png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return '.jpg';
  return '';
}

/** One multipart file part; unnamed bytes are called `unnamed` plus the extension their content shows. */
export async function toPart(data: Bytes | string, name: string | undefined, unnamed: string): Promise<{ blob: Blob; name: string }> {
  if (typeof data === 'string') {
    // Loaded only for paths; bundlers swap in node-files.browser.js (package.json "browser").
    const { blobFromPath } = await import('./node-files.js');
    const file = await blobFromPath(data);
    return { blob: file.blob, name: name ?? file.name };
  }
  // Copy views so every Blob part is backed by a plain ArrayBuffer.
  const blob = data instanceof Blob ? data : new Blob([data instanceof ArrayBuffer ? data : new Uint8Array(data)]);
  const own = name ?? (typeof (data as { name?: unknown }).name === 'string' && (data as File).name !== '' ? (data as File).name : undefined);
  if (own !== undefined) return { blob, name: own };
  const head = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
  return { blob, name: `${unnamed}${extensionOf(head)}` };
}

/**
 * `POST /api/v1/upload/batch`: every file in the `files` field, and `face_limit` and `webhook_url` when given, under one
 * Idempotency-Key, so retrying after a lost answer never creates a second job (nor bills twice).
 */
export async function uploadImages(config: ClientConfig, sources: UploadSource | Iterable<UploadSource>, options: UploadOptions = {}): Promise<UploadResponse> {
  const list: readonly UploadSource[] = isSingle(sources) ? [sources] : Array.from(sources);
  if (list.length === 0) {
    throw new Image2ModelError({ code: 'VALIDATION_ERROR', status: 0, message: 'upload() needs at least one image' });
  }
  const parts = await Promise.all(list.map((source, index) => (isNamed(source) ? toPart(source.data, source.name, `image-${index + 1}`) : toPart(source, undefined, `image-${index + 1}`))));
  const form = new FormData();
  for (const part of parts) form.append('files', part.blob, part.name);
  return postUpload(config, '/api/v1/upload/batch', form, options);
}

/**
 * Sends an upload form, with `face_limit` and `webhook_url` when given, under one Idempotency-Key
 * (retried with it), and checks that the answer is an upload's.
 */
export async function postUpload(config: ClientConfig, path: string, form: FormData, options: UploadOptions): Promise<UploadResponse> {
  if (options.faceLimit !== undefined) form.append('face_limit', String(options.faceLimit));
  if (options.webhookUrl !== undefined) form.append('webhook_url', options.webhookUrl);
  const what = `POST ${path}`;
  const headers = { 'Idempotency-Key': options.idempotencyKey ?? newIdempotencyKey() };
  const response = await withIdempotentRetries(config, options.signal, () => send(config, path, { method: 'POST', body: form, signal: options.signal, headers, what }));
  const body = (await response.json().catch(() => null)) as UploadResponse | null;
  if (typeof body?.job_id !== 'string' || !Array.isArray(body.files)) {
    throw unexpectedResponse(response.status, response.headers.get('content-type') ?? '', `${what} at ${config.origin}`);
  }
  return body;
}
