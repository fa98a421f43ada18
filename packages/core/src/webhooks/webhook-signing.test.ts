import { describe, expect, it } from 'vitest';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { createWebhookSigner, generateWebhookSecret, isWebhookSecret } from './webhook-signing.js';

const BODY = JSON.stringify({ id: 'evt_0123', type: 'file.completed', created_at: '2024-03-15T12:35:00.000Z', data: {} });

describe('createWebhookSigner', () => {
  it('signs so that the standardwebhooks verifier accepts the body with its headers', () => {
    const secret = generateWebhookSecret();
    const headers = createWebhookSigner(secret)({ id: 'evt_0123', body: BODY });
    expect(headers['webhook-id']).toBe('evt_0123');
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
  });

  it('is rejected for a tampered body, another secret, another id or an old timestamp', () => {
    const secret = generateWebhookSecret();
    const sign = createWebhookSigner(secret);
    const headers = sign({ id: 'evt_0123', body: BODY });
    const verifier = new Webhook(secret);
    expect(() => verifier.verify(BODY.replace('file.completed', 'file.failed'), { ...headers })).toThrow(WebhookVerificationError);
    expect(() => new Webhook(generateWebhookSecret()).verify(BODY, { ...headers })).toThrow(WebhookVerificationError);
    expect(() => verifier.verify(BODY, { ...headers, 'webhook-id': 'evt_other' })).toThrow(WebhookVerificationError);
    const old = sign({ id: 'evt_0123', body: BODY, at: new Date(Date.now() - 10 * 60_000) });
    expect(() => verifier.verify(BODY, { ...old })).toThrow(/too old/);
  });

  it('keeps the id and signs each attempt at its own time', () => {
    const sign = createWebhookSigner(generateWebhookSecret());
    const first = sign({ id: 'evt_0123', body: BODY, at: new Date(1_700_000_000_000) });
    const later = sign({ id: 'evt_0123', body: BODY, at: new Date(1_700_000_060_000) });
    expect(later['webhook-id']).toBe(first['webhook-id']);
    expect([first['webhook-timestamp'], later['webhook-timestamp']]).toEqual(['1700000000', '1700000060']);
    expect(later['webhook-signature']).not.toBe(first['webhook-signature']);
  });
});

describe('generateWebhookSecret', () => {
  it('makes distinct whsec_ secrets of 32 random bytes', () => {
    const a = generateWebhookSecret();
    expect(isWebhookSecret(a)).toBe(true);
    expect(Buffer.from(a.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it('tells a usable secret from text that is not one', () => {
    expect(isWebhookSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(true);
    expect(isWebhookSecret('whsec_')).toBe(false);
    expect(isWebhookSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(false);
    expect(isWebhookSecret('whsec_not base64!')).toBe(false);
  });
});
