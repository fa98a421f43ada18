import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from './webhook-signing.js';

const run = promisify(execFile);
/** The built engine, as a server process loads it (run `npm run build` first). */
const DIST = fileURLToPath(new URL('../../dist/webhooks/', import.meta.url));

/** A child process that signs and sends one webhook with the built engine, printing the result. */
const SENDER = `
const { sendWebhook } = await import(process.env.DIST + 'send-webhook.js');
const { createWebhookSigner } = await import(process.env.DIST + 'webhook-signing.js');
const body = JSON.stringify({ id: 'evt_https', type: 'job.finished', created_at: new Date().toISOString(), data: {} });
const headers = createWebhookSigner(process.env.SECRET)({ id: 'evt_https', body });
console.log(JSON.stringify(await sendWebhook({ url: process.env.URL, body, headers, policy: { allowPrivate: true }, timeoutMs: 5000 })));`;

describe('sendWebhook over https', () => {
  let dir: string;
  let server: Server;
  let url: string;
  const received: { headers: Record<string, string>; body: string }[] = [];
  const secret = generateWebhookSecret();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'i2m-https-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
    server = createServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString() });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://localhost:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const send = async (extraCa: string | null) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, DIST, SECRET: secret, URL: url };
    if (extraCa) env.NODE_EXTRA_CA_CERTS = extraCa;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', SENDER], { env });
    return JSON.parse(stdout) as { ok: boolean; status?: number; error?: string };
  };

  it('delivers to a receiver with a self-signed certificate trusted through NODE_EXTRA_CA_CERTS', async () => {
    expect(await send(join(dir, 'cert.pem'))).toMatchObject({ ok: true, status: 200 });
    const got = received.at(-1)!;
    expect(new Webhook(secret).verify(got.body, got.headers)).toMatchObject({ id: 'evt_https', type: 'job.finished' });
  });

  it('refuses that certificate without it', async () => {
    const before = received.length;
    expect(await send(null)).toMatchObject({ ok: false, error: 'self-signed certificate' });
    expect(received).toHaveLength(before);
  });
});
