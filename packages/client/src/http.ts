import type { ClientConfig } from './config.js';
import { errorFromResponse, isAbortError, networkError } from './errors.js';

export interface SendOptions {
  method?: 'GET' | 'POST';
  body?: FormData;
  query?: Record<string, string | undefined>;
  signal?: AbortSignal | undefined;
  /** Sent beside the API key, e.g. `Idempotency-Key`. */
  headers?: Record<string, string>;
  /** How errors name the request, e.g. "POST /api/v1/upload/batch". */
  what: string;
}

/**
 * One REST request: the API key, network failures as `NETWORK_ERROR`, any answer that is not OK
 * as the error its body reports. Aborts reject with the signal's reason, as fetch does.
 */
export async function send(config: ClientConfig, path: string, opts: SendOptions): Promise<Response> {
  const url = config.url(path, opts.query);
  let response: Response;
  try {
    response = await config.fetch(url, { method: opts.method ?? 'GET', headers: { ...config.headers(), ...opts.headers }, body: opts.body, signal: opts.signal, redirect: 'follow' });
  } catch (error) {
    if (opts.signal?.aborted || isAbortError(error)) throw opts.signal?.reason ?? error;
    throw networkError(error, config.origin);
  }
  if (!response.ok) throw await errorFromResponse(response, `${opts.what} at ${config.origin}`);
  return response;
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
