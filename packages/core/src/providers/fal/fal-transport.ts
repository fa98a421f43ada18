/**
 * The one `fetch` every FAL request goes through (queue, storage, CDN): it redirects FAL's hosts to
 * `FAL_BASE_URL` when set, bounds each request in time, and turns failures into two error types
 * this provider classifies itself. `@fal-ai/client` never sees a failure it would retry on its own
 * (its retries would re-send submits outside our accounting), so the retry policy is ours alone.
 */

/** FAL's public hosts: the queue (queue.fal.run), the REST API (rest.fal.ai) and the CDN (*.fal.media). */
function isFalHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return ['fal.run', 'fal.ai', 'fal.media'].some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/** FAL's file CDN (`fal.media`, `v3.fal.media`, …): the only hosts a model may come from. */
export function isFalMediaHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'fal.media' || host.endsWith('.fal.media');
}

/** An HTTP answer that was not 2xx (nor a redirect, where those are allowed). */
export class FalHttpError extends Error {
  override readonly name = 'FalHttpError';
  constructor(
    readonly status: number,
    /** The parsed JSON body, or the text (truncated), or null. */
    readonly body: unknown,
    /** Seconds FAL asked us to wait (429/503 `Retry-After`), when given. */
    readonly retryAfterSeconds: number | null,
  ) {
    super(`HTTP ${status}`);
  }
}

/**
 * No HTTP answer: refused or dropped connection, DNS, or our own time limit. The original error is
 * kept in `original`, not `cause`: the client walks `cause` chains to decide on retries of its own.
 */
export class FalTransportError extends Error {
  override readonly name = 'FalTransportError';
  constructor(
    readonly kind: 'timeout' | 'network',
    message: string,
    readonly original: unknown,
  ) {
    super(message);
  }
}

export interface FalTransportOptions {
  /** FAL_BASE_URL: FAL's hosts are sent to this origin instead, path and query unchanged. */
  baseUrl?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Limit for one request (and reading its body). @default 30_000 */
  timeoutMs?: number;
}

export interface FalTransport {
  /** The base URL's origin, when one is set. */
  readonly baseOrigin: string | null;
  /** For `createFalClient`: redirected, time-bounded, and throwing on any non-2xx answer. */
  clientFetch: typeof fetch;
  /** For our downloads: redirected and time-bounded; the caller handles the status (and redirects). */
  request(url: string, init?: RequestInit & { timeoutMs?: number }): Promise<Response>;
  /** Where a URL is really sent (FAL's hosts replaced by the base URL's origin). */
  target(url: string): URL;
}

const MAX_ERROR_BODY_CHARS = 4000;

async function readErrorBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text.length === 0) return null;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // fall through: keep the text
    }
  }
  return text.slice(0, MAX_ERROR_BODY_CHARS);
}

function retryAfterOf(response: Response): number | null {
  const header = response.headers.get('retry-after');
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

export function urlOf(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

export function createFalTransport(opts: FalTransportOptions = {}): FalTransport {
  const baseFetch = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const base = opts.baseUrl ? new URL(opts.baseUrl) : null;

  function target(url: string): URL {
    const parsed = new URL(url);
    if (base && isFalHost(parsed.hostname)) {
      parsed.protocol = base.protocol;
      parsed.host = base.host;
    }
    return parsed;
  }

  async function request(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Response> {
    const { timeoutMs: ownTimeout, ...rest } = init;
    const limit = ownTimeout ?? timeoutMs;
    const timer = AbortSignal.timeout(limit);
    const signal = rest.signal ? AbortSignal.any([rest.signal, timer]) : timer;
    try {
      return await baseFetch(target(url), { ...rest, signal });
    } catch (error) {
      if (rest.signal?.aborted) throw rest.signal.reason ?? error; // the caller stopped: not a FAL failure
      if (timer.aborted) throw new FalTransportError('timeout', `no answer within ${limit} ms`, error);
      throw new FalTransportError('network', describeNetworkError(error), error);
    }
  }

  const clientFetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const response = await request(urlOf(input), init ?? {});
    if (!response.ok) throw new FalHttpError(response.status, await readErrorBody(response), retryAfterOf(response));
    return response;
  }) as typeof fetch;

  return { baseOrigin: base ? base.origin : null, clientFetch, request, target };
}

/** "connection refused", "connection reset", … from undici's `fetch failed` and its cause chain. */
function describeNetworkError(error: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'connection dropped';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
    if (typeof code === 'string') return `network error (${code})`;
    current = (current as { cause?: unknown }).cause;
  }
  return 'network error';
}
