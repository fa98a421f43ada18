import { AppError } from '../../errors.js';
import { FalHttpError, FalTransportError, isFalMediaHost, urlOf, type FalTransport } from './fal-transport.js';

const MAX_REDIRECTS = 3;
const GLB_MAGIC = 0x46546c67; // "glTF"
const GLB_JSON_CHUNK = 0x4e4f534a; // "JSON"

function refused(message: string): AppError {
  return new AppError('FAL_API_ERROR', message, { retryable: false });
}

/**
 * Only FAL's CDN (https, `fal.media` and its subdomains) or the configured FAL_BASE_URL origin may
 * be fetched: a result is data from outside, and must not make us request internal addresses.
 */
export function checkFalFileUrl(raw: string, baseOrigin: string | null): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused('FAL returned a file URL that is not a URL; refused');
  }
  if (baseOrigin !== null && url.origin === baseOrigin) return url;
  if (url.protocol === 'https:' && isFalMediaHost(url.hostname) && url.username === '' && url.password === '') return url;
  throw refused(`FAL returned a file URL on ${url.protocol}//${url.host}, which is not a FAL media host; refused`);
}

/**
 * The transport's fetch for `@fal-ai/client`, with its upload checked: the client PUTs the photo to
 * whatever `upload_url` FAL storage returned, so that URL gets the same allowlist as a model download
 * (an internal address there would receive the photo). Its other PUT, `queue.cancel`, goes to FAL's
 * queue host, a URL the client builds itself.
 */
export function checkedUploadFetch(transport: FalTransport): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = urlOf(input);
    if ((init?.method ?? 'GET').toUpperCase() === 'PUT' && !isFalQueueUrl(url)) checkFalFileUrl(url, transport.baseOrigin);
    return transport.clientFetch(input, init);
  }) as typeof fetch;
}

function isFalQueueUrl(raw: string): boolean {
  const url = new URL(raw);
  return url.protocol === 'https:' && url.host === 'queue.fal.run';
}

export interface DownloadOptions {
  /** Larger files are refused (checked from Content-Length, then while reading). */
  maxBytes: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** "the model", "the preview": used in messages. */
  what: string;
}

/** GETs a FAL file, following at most 3 redirects, each to an allowed host again. */
export async function downloadFalFile(transport: FalTransport, raw: string, opts: DownloadOptions): Promise<Buffer> {
  let url = checkFalFileUrl(raw, transport.baseOrigin);
  for (let hop = 0; ; hop++) {
    const response = await transport.request(url.href, { redirect: 'manual', signal: opts.signal, timeoutMs: opts.timeoutMs });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (!location || hop >= MAX_REDIRECTS) throw refused(`FAL's CDN redirected ${opts.what} too often or nowhere; refused`);
      url = checkFalFileUrl(new URL(location, url).href, transport.baseOrigin);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new FalHttpError(response.status, null, null);
    }
    return readLimited(response, opts);
  }
}

async function readLimited(response: Response, opts: DownloadOptions): Promise<Buffer> {
  const tooLarge = (): AppError => refused(`${capitalise(opts.what)} from FAL is larger than ${Math.round(opts.maxBytes / 1048576)} MiB; refused`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > opts.maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(Buffer.from(value));
  }
  if (Number.isFinite(declared) && declared > 0 && size < declared) {
    throw new FalTransportError('network', `download of ${opts.what} cut short (${size} of ${declared} bytes)`, null);
  }
  return Buffer.concat(chunks);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Is it a binary glTF 2.0, whatever FAL's content type says? A header whose length exceeds what
 * arrived is a cut-short download (retried); anything else wrong is a file we cannot serve.
 */
export function checkGlb(bytes: Buffer): void {
  const head = bytes.subarray(0, 4).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  if (bytes.length < 20 || bytes.readUInt32LE(0) !== GLB_MAGIC) {
    throw refused(`FAL returned a model that is not a GLB (${bytes.length} bytes starting with "${head}")`);
  }
  const version = bytes.readUInt32LE(4);
  if (version !== 2) throw refused(`FAL returned a glTF ${version} binary; only glTF 2.0 GLB is supported`);
  const declared = bytes.readUInt32LE(8);
  if (declared > bytes.length) throw new FalTransportError('network', `model download cut short (${bytes.length} of ${declared} bytes)`, null);
  if (declared !== bytes.length || bytes.readUInt32LE(16) !== GLB_JSON_CHUNK) {
    throw refused('FAL returned a corrupt GLB (its header does not match its contents)');
  }
}

export type ImageKind = 'png' | 'jpeg' | 'webp' | 'other';

export function imageKind(bytes: Buffer): ImageKind {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return 'other';
}
