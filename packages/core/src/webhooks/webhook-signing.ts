import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** The Standard Webhooks headers of one attempt. */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * A new signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64.
 * @example generateWebhookSecret() // 'whsec_Zm9v…'
 */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Whether `text` is a secret the signer accepts (`whsec_` and non-empty base64). */
export function isWebhookSecret(text: string): boolean {
  return /^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text) && text.length > 'whsec_'.length;
}

/**
 * Signs one attempt per the Standard Webhooks specification (HMAC-SHA256 of `id.timestamp.body`),
 * with the `standardwebhooks` package so the format is the standard's, not our reading of it.
 * Every attempt is signed afresh: the id stays, the timestamp is the attempt's, so a receiver's
 * replay window (5 minutes in the reference verifiers) accepts a retry sent hours later.
 */
export function createWebhookSigner(secret: string): (input: { id: string; body: string; at?: Date }) => WebhookSignatureHeaders {
  const webhook = new Webhook(secret);
  return ({ id, body, at = new Date() }) => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhook.sign(id, at, body),
  });
}
