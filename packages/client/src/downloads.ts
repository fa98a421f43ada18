import { segment, type ClientConfig } from './config.js';
import { unexpectedResponse } from './errors.js';
import { send } from './http.js';

/** A download as it arrives: read `stream` once (pipe it to a file, a Response, a viewer). */
export interface Download {
  /** The bytes, streamed from the server: nothing is buffered by the client. */
  stream: ReadableStream<Uint8Array>;
  /** The server's suggested file name, e.g. `chair.glb` or `batch_….zip`. */
  filename: string;
  /** `model/gltf-binary` for models (or the format's own type: `model/stl`, `model/3mf`, `application/zip` for OBJ, `application/octet-stream` for PLY, `model/vnd.usdz+zip`), `application/zip` for `downloadAll`, `image/jpeg` or `image/png` for photos. */
  contentType: string;
  /** Bytes, when the server announced them (a ZIP is streamed without a length). */
  size: number | null;
}

export interface DownloadOptions {
  /** Read access without the API key: the job's `session_id`. */
  sessionId?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** The formats a model downloads in: `glb` is the stored model, the others are converted by the server (docs/formats.md). */
export const MODEL_FORMATS = ['glb', 'stl', '3mf', 'obj', 'ply', 'usdz'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** The extension each format's file is saved under (OBJ comes as a ZIP with its MTL and texture). */
const EXTENSIONS: Record<ModelFormat, string> = { glb: '.glb', stl: '.stl', '3mf': '.3mf', obj: '.obj.zip', ply: '.ply', usdz: '.usdz' };

/** `.glb`, `.stl`, `.3mf`, `.obj.zip`, `.ply` or `.usdz`. */
export function modelExtension(format: ModelFormat): string {
  return EXTENSIONS[format];
}

export interface ModelDownloadOptions extends DownloadOptions {
  /** @default 'glb' */
  format?: ModelFormat | undefined;
  /** STL and 3MF only: the model's height in the print, in millimetres (default: its own size, longest side capped at 100 mm). */
  heightMm?: number | undefined;
}

export interface AllDownloadOptions extends DownloadOptions {
  /** Every model of the ZIP in this format (OBJ: one folder per model). @default 'glb' */
  format?: ModelFormat | undefined;
}

/** `attachment; filename="a.glb"; filename*=UTF-8''a%C3%A9.glb` → the best name it gives. */
export function filenameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      // fall back to the plain parameter
    }
  }
  const plain = /filename\s*=\s*"((?:[^"\\]|\\.)*)"|filename\s*=\s*([^;]+)/.exec(header);
  const name = plain?.[1] ?? plain?.[2];
  return name ? name.replace(/\\(.)/g, '$1').trim() : null;
}

/** Only a base name: a server can suggest a name, never a directory. */
function safeName(name: string | null, fallback: string): string {
  const base = name?.split(/[\\/]/).pop()?.trim() ?? '';
  return base === '' || base === '.' || base === '..' ? fallback : base;
}

/**
 * The body of `response`, as a stream that keeps `response` alive until it is read to the end:
 * Node's fetch (undici) cancels the body of a Response that is garbage collected before the body is
 * locked, so a caller that awaited anything before reading (opening the file to save to) got an
 * empty stream and no error.
 */
function bodyOf(response: Response, body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // `response` is read here (not only `body`) so the closure holds it, and so the Response lives.
      reader ??= (response.body ?? body).getReader();
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader ? reader.cancel(reason) : body.cancel(reason);
    },
  });
}

async function download(config: ClientConfig, path: string, fallbackName: string, options: DownloadOptions, query: Record<string, string | undefined> = {}): Promise<Download> {
  const what = `GET ${path}`;
  const response = await send(config, path, { query: { session_id: options.sessionId, ...query }, signal: options.signal, what });
  const { body } = response;
  if (!body) throw unexpectedResponse(response.status, response.headers.get('content-type') ?? '', `${what} at ${config.origin}`);
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  return {
    stream: bodyOf(response, body),
    filename: safeName(filenameFromDisposition(response.headers.get('content-disposition')), fallbackName),
    contentType: response.headers.get('content-type') ?? 'application/octet-stream',
    size: Number.isFinite(length) ? length : null,
  };
}

/**
 * `GET /api/v1/download/{job_id}/{file_id}/model`: the GLB (a redirect to the provider's copy is
 * followed), or with `format` the model converted to STL, 3MF, OBJ (a ZIP), PLY or USDZ.
 */
export function downloadModel(config: ClientConfig, jobId: string, fileId: string, options: ModelDownloadOptions = {}): Promise<Download> {
  const format = options.format ?? 'glb';
  const query = { format: options.format, height_mm: options.heightMm === undefined ? undefined : String(options.heightMm) };
  return download(config, `/api/v1/download/${segment(jobId)}/${segment(fileId)}/model`, `${fileId}${modelExtension(format)}`, options, query);
}

/** `GET /api/v1/download/{job_id}/{file_id}/photo`: the photo as it was uploaded (JPEG or PNG), whatever the file's status. */
export function downloadPhoto(config: ClientConfig, jobId: string, fileId: string, options: DownloadOptions = {}): Promise<Download> {
  return download(config, `/api/v1/download/${segment(jobId)}/${segment(fileId)}/photo`, fileId, options);
}

/** `GET /api/v1/download/{job_id}/all`: a ZIP of every completed model (in `format`, default GLB) plus `manifest.json`. */
export function downloadAll(config: ClientConfig, jobId: string, options: AllDownloadOptions = {}): Promise<Download> {
  return download(config, `/api/v1/download/${segment(jobId)}/all`, `${jobId}.zip`, options, { format: options.format });
}
