import type { ClientConfig } from './config.js';
import { isImage2ModelError } from './errors.js';
import { sleep } from './http.js';

/**
 * A fresh Idempotency-Key: a random UUID (v4). Made from `crypto.getRandomValues`, which browsers
 * also offer on plain-http pages, where `crypto.randomUUID` is missing.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Worth sending again with the same key: no answer at all, a server-side failure (5xx), or the
 * server still processing an earlier attempt with this key (409 `idempotency_key_in_use`).
 */
export function isRetryable(error: unknown): boolean {
  if (!isImage2ModelError(error)) return false;
  if (error.code === 'NETWORK_ERROR' || error.status >= 500) return true;
  return error.status === 409 && error.details.reason === 'idempotency_key_in_use';
}

/**
 * Runs `attempt` (which sends the same Idempotency-Key every time) until it succeeds, fails in a way
 * a retry cannot help, or `config.retry.retries` retries have failed; the delay doubles each time.
 */
export async function withIdempotentRetries<T>(config: ClientConfig, signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (retry >= config.retry.retries || signal?.aborted || !isRetryable(error)) throw error;
    }
    await sleep(Math.min(config.retry.maxDelayMs, config.retry.minDelayMs * 2 ** retry), signal);
  }
}
