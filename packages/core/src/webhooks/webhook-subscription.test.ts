import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import type { ResolveHost } from './webhook-url-policy.js';
import { acceptWebhookUrl, NO_WEBHOOKS, webhookUrlForNewJob, type WebhookSubscriptionConfig } from './webhook-subscription.js';

const publicDns: ResolveHost = async () => [{ address: '93.184.216.34', family: 4 }];
const insideDns: ResolveHost = async () => [{ address: '10.0.0.7', family: 4 }];

function config(overrides: Partial<WebhookSubscriptionConfig> = {}): WebhookSubscriptionConfig {
  return { defaultUrl: null, publicUrlSet: true, policy: { resolve: publicDns }, ...overrides };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('acceptWebhookUrl', () => {
  it('accepts an https URL whose host is public, as given', async () => {
    await expect(acceptWebhookUrl('https://hooks.example.com/i2m?x=1', config())).resolves.toBe('https://hooks.example.com/i2m?x=1');
  });

  it('refuses http:// unless allowed, with the field and the reason', async () => {
    const error = await refusal(acceptWebhookUrl('http://hooks.example.com/i2m', config()));
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).toBe('webhook_url must use https://');
    expect(error.opts.details).toEqual({ field: 'webhook_url', reason: 'must use https://' });
    await expect(acceptWebhookUrl('http://hooks.example.com/i2m', config({ policy: { allowHttp: true, resolve: publicDns } }))).resolves.toBe('http://hooks.example.com/i2m');
  });

  it('refuses a host resolving inside unless private addresses are allowed', async () => {
    const error = await refusal(acceptWebhookUrl('https://inside.example.com/', config({ policy: { resolve: insideDns } })));
    expect(error.opts.details).toMatchObject({ field: 'webhook_url', reason: expect.stringContaining('10.0.0.7') });
    await expect(acceptWebhookUrl('https://inside.example.com/', config({ policy: { allowPrivate: true, resolve: insideDns } }))).resolves.toBe('https://inside.example.com/');
  });

  it('refuses every URL on a server without PUBLIC_URL, saying the operator must set it', async () => {
    const error = await refusal(acceptWebhookUrl('https://hooks.example.com/i2m', NO_WEBHOOKS));
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).toContain('the operator must set PUBLIC_URL');
    expect(error.opts.details).toMatchObject({ field: 'webhook_url' });
  });
});

describe('webhookUrlForNewJob', () => {
  it("is the server's default when the upload names none, else the one named", async () => {
    const withDefault = config({ defaultUrl: 'https://default.example.com/hook' });
    await expect(webhookUrlForNewJob(undefined, withDefault)).resolves.toBe('https://default.example.com/hook');
    await expect(webhookUrlForNewJob(undefined, config())).resolves.toBeNull();
    await expect(webhookUrlForNewJob('https://mine.example.com/hook', withDefault)).resolves.toBe('https://mine.example.com/hook');
  });
});
