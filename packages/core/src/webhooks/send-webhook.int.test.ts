import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startHttpServer, type LocalHttpServer } from '@image2model/testing/net';
import { sendWebhook } from './send-webhook.js';
import { createWebhookSigner, generateWebhookSecret } from './webhook-signing.js';
import { checkWebhookUrl, type ResolveHost } from './webhook-url-policy.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const servers: LocalHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A receiver on loopback that records what it gets and answers with `respond`. */
async function receiver(respond: (res: import('node:http').ServerResponse, req: import('node:http').IncomingMessage) => void = (res) => res.writeHead(204).end()) {
  const received: Received[] = [];
  const server = await startHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      respond(res, req);
    });
  });
  servers.push(server);
  return { url: `${server.url}/hook`, port: new URL(server.url).port, received };
}

const secret = generateWebhookSecret();
const sign = createWebhookSigner(secret);
const body = JSON.stringify({ id: 'evt_1', type: 'file.completed', created_at: new Date().toISOString(), data: { job_id: 'j' } });
const loopbackOk = { allowHttp: true, allowPrivate: true };

describe('sendWebhook', () => {
  it('POSTs the exact body, signed, as JSON with our User-Agent, and counts a 2xx as delivered', async () => {
    const hook = await receiver();
    const result = await sendWebhook({ url: hook.url, body, headers: sign({ id: 'evt_1', body }), policy: loopbackOk });
    expect(result).toMatchObject({ ok: true, status: 204 });
    expect(result.duration_ms).toBeGreaterThanOrEqual(0);
    const [got] = hook.received;
    expect(got?.body).toBe(body);
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['user-agent']).toMatch(/^Image2Model-Webhooks\/\d+\.\d+\.\d+$/);
    expect(new Webhook(secret).verify(got?.body ?? '', got?.headers as Record<string, string>)).toEqual(JSON.parse(body));
  });

  it('reports a 5xx or 4xx with its status', async () => {
    const failing = await receiver((res) => res.writeHead(500).end('boom'));
    expect(await sendWebhook({ url: failing.url, body, headers: sign({ id: 'evt_1', body }), policy: loopbackOk })).toMatchObject({ ok: false, status: 500 });
    const gone = await receiver((res) => res.writeHead(410).end());
    expect(await sendWebhook({ url: gone.url, body, headers: sign({ id: 'evt_1', body }), policy: loopbackOk })).toMatchObject({ ok: false, status: 410 });
  });

  it('does not follow a redirect: a 3xx is a failure and the target hears nothing', async () => {
    const target = await receiver();
    const redirecting = await receiver((res) => res.writeHead(307, { location: target.url }).end());
    const result = await sendWebhook({ url: redirecting.url, body, headers: sign({ id: 'evt_1', body }), policy: loopbackOk });
    expect(result).toMatchObject({ ok: false, status: 307, error: 'redirects are not followed' });
    expect(target.received).toHaveLength(0);
  });

  it('gives up on a receiver that never answers after the timeout', async () => {
    const hanging = await receiver(() => undefined);
    const result = await sendWebhook({ url: hanging.url, body, headers: sign({ id: 'evt_1', body }), policy: loopbackOk, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, error: 'no answer within 300 ms' });
    expect(result.duration_ms).toBeGreaterThanOrEqual(290);
    expect(result.duration_ms).toBeLessThan(2000);
  });

  it('reports a connection the receiver drops', async () => {
    const dropping = await receiver((_res, req) => req.socket.destroy());
    const result = await sendWebhook({ url: dropping.url, body, headers: sign({ id: 'evt_1', body }), policy: loopbackOk });
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/socket hang up|ECONNRESET/) });
    expect(result.status).toBeUndefined();
  });

  it('refuses localhost and a loopback literal unless private addresses are allowed, before anything is sent', async () => {
    const hook = await receiver();
    const policy = { allowHttp: true };
    const byName = await sendWebhook({ url: `http://localhost:${hook.port}/hook`, body, headers: sign({ id: 'evt_1', body }), policy });
    expect(byName).toMatchObject({ ok: false, error: expect.stringMatching(/^the URL has a host that resolves to a non-public address \(localhost → /) });
    const byAddress = await sendWebhook({ url: hook.url, body, headers: sign({ id: 'evt_1', body }), policy });
    expect(byAddress).toMatchObject({ ok: false, error: 'the URL points at a non-public address (127.0.0.1)' });
    expect(hook.received).toHaveLength(0);
    expect(await sendWebhook({ url: `http://localhost:${hook.port}/hook`, body, headers: sign({ id: 'evt_1', body }), policy: loopbackOk })).toMatchObject({ ok: true });
  });

  it('refuses https-only URLs given as http unless allowed', async () => {
    const hook = await receiver();
    expect(await sendWebhook({ url: hook.url, body, headers: sign({ id: 'evt_1', body }), policy: { allowPrivate: true } })).toMatchObject({ ok: false, error: 'the URL must use https://' });
    expect(hook.received).toHaveLength(0);
  });

  it('connects only to addresses it checked itself: a name that was public when checked and is loopback at connect time is refused (DNS rebinding)', async () => {
    const hook = await receiver();
    let lookups = 0;
    const rebinding: ResolveHost = async () => (lookups++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    const url = `http://rebind.example.com:${hook.port}/hook`;
    const policy = { allowHttp: true, resolve: rebinding };
    expect(await checkWebhookUrl(url, policy)).toMatchObject({ ok: true });
    const result = await sendWebhook({ url, body, headers: sign({ id: 'evt_1', body }), policy });
    expect(result).toMatchObject({ ok: false, error: 'the URL has a host that resolves to a non-public address (rebind.example.com → 127.0.0.1)' });
    expect(lookups).toBe(2);
    expect(hook.received).toHaveLength(0);
  });

  it('connects to the address its own lookup gave (the lookup is the one the socket uses)', async () => {
    const hook = await receiver();
    const resolve: ResolveHost = async () => [{ address: '127.0.0.1', family: 4 }];
    const result = await sendWebhook({ url: `http://receiver.test:${hook.port}/hook`, body, headers: sign({ id: 'evt_1', body }), policy: { ...loopbackOk, resolve } });
    expect(result).toMatchObject({ ok: true, status: 204 });
    expect(hook.received[0]?.headers.host).toBe(`receiver.test:${hook.port}`);
  });

  it('stops at once when aborted, and says so', async () => {
    const hanging = await receiver(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await sendWebhook({ url: hanging.url, body, headers: sign({ id: 'evt_1', body }), policy: loopbackOk, timeoutMs: 5000, signal: controller.signal });
    expect(result).toMatchObject({ ok: false, aborted: true });
    expect(result.duration_ms).toBeLessThan(1000);
  });
});
