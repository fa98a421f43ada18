import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSigner, generateWebhookSecret } from '@image2model/core';
import { Image2ModelError, verifyWebhook, type WebhookEvent } from './index.js';

const SECRET = generateWebhookSecret();
const signer = createWebhookSigner(SECRET);
/** The headers as a plain object, as a framework hands them over. */
const sign = (input: Parameters<typeof signer>[0]): Record<string, string> => ({ ...signer(input) });
const EVENT = {
  id: 'evt_0123456789abcdef0123456789abcdef',
  type: 'file.completed',
  created_at: '2026-12-07T00:00:00.000Z',
  data: { job_id: 'batch_20261207_000000_abcdef', file_id: 'file_001', status: 'completed', model_url: 'https://i2m.example.com/m', model_task_id: null, error: null, warnings: [], shape: 'inflated' },
};
const BODY = JSON.stringify(EVENT);

const codeOf = (call: () => unknown): string | null => {
  try {
    call();
    return null;
  } catch (error) {
    return error instanceof Image2ModelError ? error.code : `not an Image2ModelError: ${String(error)}`;
  }
};

describe('verifyWebhook', () => {
  // A receiver as a user writes one: node:http, the raw body, Node's own header object.
  let receiver: Server;
  let url: string;
  const received: (WebhookEvent | string)[] = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        try {
          received.push(verifyWebhook(Buffer.concat(chunks), req.headers, SECRET));
          res.writeHead(204).end();
        } catch (error) {
          received.push(error instanceof Image2ModelError ? error.code : String(error));
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('answers the parsed, typed event of a request signed with the secret, over real HTTP with Node headers', async () => {
    const ok = await fetch(url, { method: 'POST', headers: { ...sign({ id: EVENT.id, body: BODY }), 'content-type': 'application/json' }, body: BODY });
    expect(ok.status).toBe(204);
    const tampered = await fetch(url, { method: 'POST', headers: sign({ id: EVENT.id, body: BODY }), body: BODY.replace('file_001', 'file_002') });
    expect(tampered.status).toBe(400);
    expect(received).toEqual([EVENT, 'INVALID_WEBHOOK_SIGNATURE']);
  });

  it('takes fetch Headers and string bodies too, and narrows the event by type', () => {
    const event = verifyWebhook(BODY, new Headers(sign({ id: EVENT.id, body: BODY })), SECRET);
    expect(event.type === 'file.completed' ? event.data.model_url : null).toBe(EVENT.data.model_url);
  });

  it('refuses a changed body, an old timestamp, another secret, a missing header; a malformed secret is a configuration error', () => {
    const headers = sign({ id: EVENT.id, body: BODY });
    expect(codeOf(() => verifyWebhook(`${BODY} `, headers, SECRET))).toBe('INVALID_WEBHOOK_SIGNATURE');
    expect(codeOf(() => verifyWebhook(BODY, sign({ id: EVENT.id, body: BODY, at: new Date(Date.now() - 10 * 60_000) }), SECRET))).toBe('INVALID_WEBHOOK_SIGNATURE');
    expect(codeOf(() => verifyWebhook(BODY, headers, generateWebhookSecret()))).toBe('INVALID_WEBHOOK_SIGNATURE');
    expect(codeOf(() => verifyWebhook(BODY, { 'webhook-id': headers['webhook-id'], 'webhook-timestamp': headers['webhook-timestamp'] }, SECRET))).toBe('INVALID_WEBHOOK_SIGNATURE');
    expect(codeOf(() => verifyWebhook(BODY, headers, 'not-a-secret!'))).toBe('INVALID_CONFIGURATION');
    expect(codeOf(() => verifyWebhook(BODY, headers, SECRET))).toBeNull();
  });
});
