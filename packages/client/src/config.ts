import { EventSource as FetchEventSource } from 'eventsource';
import { Image2ModelError } from './errors.js';

/** Any EventSource class: a browser's own, or the `eventsource` package's (the default). */
export interface EventSourceConstructor {
  new (url: string, init?: { withCredentials?: boolean | undefined }): {
    readonly readyState: number;
    close(): void;
    addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  };
}

/** How `watch()` and `events()` reconnect after a dropped connection. */
export interface ReconnectOptions {
  /** Attempts in a row before giving up with `NETWORK_ERROR`; any event received resets the count. @default 10 */
  retries?: number | undefined;
  /** The first delay; each further attempt doubles it. @default 250 */
  minDelayMs?: number | undefined;
  /** @default 5000 */
  maxDelayMs?: number | undefined;
}

/**
 * How uploads and idempotent mutations (`generateSingle`) are retried after a network error, a 5xx,
 * or a 409 saying their key is still in use: always with the same Idempotency-Key, so a retry never
 * creates a second job.
 */
export interface RetryOptions {
  /** Attempts after the first. @default 3 */
  retries?: number | undefined;
  /** The first delay; each further attempt doubles it. @default 500 */
  minDelayMs?: number | undefined;
  /** @default 5000 */
  maxDelayMs?: number | undefined;
}

export interface Image2ModelClientOptions {
  /**
   * The server's origin, e.g. `http://localhost:8000` (a trailing `/api/v1` is tolerated).
   * @example 'https://image2model.example.com'
   */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. Health needs none; a job's `sessionId` also gives read access. */
  apiKey?: string | undefined;
  /** The fetch used for every request (tests, proxies, instrumentation). @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
  /**
   * The EventSource used for subscriptions. The default (the `eventsource` package) runs on
   * `fetch`, so it sends the API key in Node and in browsers; a browser's native EventSource
   * cannot send headers, so pass a `sessionId` to `watch()` if you use it.
   */
  EventSource?: EventSourceConstructor | undefined;
  /** @default { retries: 10, minDelayMs: 250, maxDelayMs: 5000 } */
  reconnect?: ReconnectOptions | undefined;
  /** @default { retries: 3, minDelayMs: 500, maxDelayMs: 5000 } */
  retry?: RetryOptions | undefined;
}

/** Everything the parts of the client share, resolved once. */
export interface ClientConfig {
  origin: string;
  apiKey: string | undefined;
  fetch: typeof fetch;
  EventSource: EventSourceConstructor;
  reconnect: { retries: number; minDelayMs: number; maxDelayMs: number };
  retry: { retries: number; minDelayMs: number; maxDelayMs: number };
  headers(): Record<string, string>;
  url(path: string, query?: Record<string, string | undefined>): string;
}

/** `http://host:8000/`, `http://host:8000/api/v1` and `http://host:8000/api/v1/` all mean `http://host:8000`. */
export function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw invalidBaseUrl(baseUrl);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidBaseUrl(baseUrl);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${url.origin}${path}`;
}

function invalidBaseUrl(baseUrl: string): Image2ModelError {
  return new Image2ModelError({
    code: 'INVALID_CONFIGURATION',
    status: 0,
    message: `Invalid baseUrl "${baseUrl}": expected the server's origin, like http://localhost:8000`,
    details: { baseUrl },
  });
}

export function resolveConfig(options: Image2ModelClientOptions): ClientConfig {
  const origin = normalizeBaseUrl(options.baseUrl);
  const apiKey = options.apiKey === '' ? undefined : options.apiKey;
  const userFetch = options.fetch;
  // Called through a wrapper so a browser's fetch is never invoked with the wrong `this`.
  const fetchImpl: typeof fetch = userFetch ?? ((input, init) => globalThis.fetch(input, init));
  return {
    origin,
    apiKey,
    fetch: fetchImpl,
    EventSource: options.EventSource ?? FetchEventSource,
    reconnect: { retries: options.reconnect?.retries ?? 10, minDelayMs: options.reconnect?.minDelayMs ?? 250, maxDelayMs: options.reconnect?.maxDelayMs ?? 5000 },
    retry: { retries: options.retry?.retries ?? 3, minDelayMs: options.retry?.minDelayMs ?? 500, maxDelayMs: options.retry?.maxDelayMs ?? 5000 },
    headers: (): Record<string, string> => (apiKey ? { Authorization: `Bearer ${apiKey}` } : {}),
    url(path, query = {}) {
      const url = new URL(`${origin}${path}`);
      for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
      return url.toString();
    },
  };
}

/** Path segments are ids the server chose; encode them anyway so no id can change the route. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
