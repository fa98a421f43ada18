import { AppError } from '../errors.js';
import { checkWebhookUrl, type WebhookUrlPolicy } from './webhook-url-policy.js';

/** How a server accepts the webhook URLs jobs name (from WEBHOOK_URL, WEBHOOK_ALLOW_* and PUBLIC_URL). */
export interface WebhookSubscriptionConfig {
  /** WEBHOOK_URL: where the events of a job that names no URL go; null = nowhere. */
  defaultUrl: string | null;
  /**
   * Whether PUBLIC_URL is set: a webhook's `model_url` is built from it (a delivery has no request
   * whose origin could stand in), so without it no job may name a URL.
   */
  publicUrlSet: boolean;
  policy: WebhookUrlPolicy;
}

/** A server with webhooks off: no default, and every URL a job names refused. */
export const NO_WEBHOOKS: WebhookSubscriptionConfig = { defaultUrl: null, publicUrlSet: false, policy: {} };

function refused(message: string, reason: string): AppError {
  return new AppError('VALIDATION_ERROR', message, { details: { field: 'webhook_url', reason } });
}

/**
 * Checks a webhook URL a request names (upload, retry, generate-single): 400 VALIDATION_ERROR with
 * `details.field: "webhook_url"` and the reason when the server cannot send to it.
 * @example const url = await acceptWebhookUrl('https://hooks.example.com/i2m', config);
 */
export async function acceptWebhookUrl(given: string, config: WebhookSubscriptionConfig): Promise<string> {
  if (!config.publicUrlSet) {
    const reason = 'webhooks need PUBLIC_URL (the origin model_url is built from), which this server does not set';
    throw refused(`webhook_url cannot be used: the operator must set PUBLIC_URL to enable webhooks`, reason);
  }
  const check = await checkWebhookUrl(given, config.policy);
  if (!check.ok) throw refused(`webhook_url ${check.reason}`, check.reason);
  return given;
}

/** The URL a new job's events go to: the one the upload names (checked), else the server's default. */
export async function webhookUrlForNewJob(given: string | undefined, config: WebhookSubscriptionConfig): Promise<string | null> {
  return given === undefined ? config.defaultUrl : acceptWebhookUrl(given, config);
}
