import { Webhook } from 'standardwebhooks';
import { Image2ModelError } from './errors.js';
import type { WebhookEvent } from './generated/api-types.js';

/** Request headers as a framework gives them: fetch's `Headers`, or Node's and Express's plain object. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

const SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function headerOf(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a webhook request from the server (Standard Webhooks: the `webhook-id`,
 * `webhook-timestamp` and `webhook-signature` headers, HMAC-SHA256 under `WEBHOOK_SECRET`) and
 * answers its body, parsed and typed by `type`. Pass the body exactly as received (a string or
 * the raw bytes, before any JSON parsing). Throws an `Image2ModelError` with code
 * `INVALID_WEBHOOK_SIGNATURE` for a missing or wrong signature, a changed body, or a timestamp
 * more than 5 minutes away (a replay), and `INVALID_CONFIGURATION` for a secret that is not
 * `whsec_…`. The checking is the `standardwebhooks` package's.
 *
 * @example
 * const event = verifyWebhook(rawBody, req.headers, process.env.WEBHOOK_SECRET!);
 * if (event.type === 'file.completed') console.log(event.data.model_url);
 */
export function verifyWebhook(body: string | Uint8Array, headers: WebhookHeaders, secret: string): WebhookEvent {
  const signed: Record<string, string> = {};
  for (const name of SIGNATURE_HEADERS) {
    const value = headerOf(headers, name);
    if (value === undefined) throw new Image2ModelError({ code: 'INVALID_WEBHOOK_SIGNATURE', status: 0, message: `The webhook request has no ${name} header` });
    signed[name] = value;
  }
  let webhook: Webhook;
  try {
    webhook = new Webhook(secret);
  } catch (error) {
    throw new Image2ModelError({ code: 'INVALID_CONFIGURATION', status: 0, message: 'The webhook secret is not a Standard Webhooks secret (whsec_ and base64)', cause: error });
  }
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  try {
    return webhook.verify(text, signed) as WebhookEvent;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Image2ModelError({ code: 'INVALID_WEBHOOK_SIGNATURE', status: 0, message: `The webhook request is not signed by this secret: ${reason}`, cause: error });
  }
}
