import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { waitFor } from '@image2model/testing/http';
import { closedPort } from '@image2model/testing/net';
import { SqliteWebhookOutbox } from '../adapters/fs/webhook-outbox.sqlite.js';
import { parseRetrySchedule } from './retry-schedule.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { createWebhookSigner, generateWebhookSecret } from './webhook-signing.js';

/** The built engine, as a server process loads it (run `npm run build` first). */
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const JOB = 'batch_20240315_123456_kill00';

/**
 * An embedded process that queues webhooks (printing each id once its enqueue has returned) and
 * dispatches them, until it is killed.
 */
const PRODUCER = `
const { SqliteWebhookOutbox } = await import(process.env.DIST + 'adapters/fs/webhook-outbox.sqlite.js');
const { WebhookDispatcher } = await import(process.env.DIST + 'webhooks/webhook-dispatcher.js');
const { parseRetrySchedule } = await import(process.env.DIST + 'webhooks/retry-schedule.js');
const { createWebhookSigner } = await import(process.env.DIST + 'webhooks/webhook-signing.js');
const { webhookEventId } = await import(process.env.DIST + 'webhooks/webhook-message.js');
const outbox = new SqliteWebhookOutbox({ file: process.env.FILE });
const dispatcher = new WebhookDispatcher({ outbox, sign: createWebhookSigner(process.env.SECRET), policy: { allowHttp: true, allowPrivate: true },
  schedule: parseRetrySchedule(Array(100).fill('0.2').join(',')), pollMs: 10, timeoutMs: 1000 });
dispatcher.start();
for (let n = 1; ; n++) {
  const id = webhookEventId(process.env.JOB, String(n));
  await outbox.enqueue({ id, job_id: process.env.JOB, type: 'file.completed', url: process.env.URL, body: JSON.stringify({ id, type: 'file.completed', created_at: new Date().toISOString(), data: { n } }) });
  process.stdout.write(id + '\\n');
  dispatcher.wake();
  await new Promise((resolve) => setTimeout(resolve, 2));
}`;

describe('the embedded outbox across kill -9', () => {
  let dir: string;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged delivery when the process is killed while its receiver is down: all are delivered after a restart, duplicates only with the same webhook-id', async () => {
    dir = await mkdtemp(join(tmpdir(), 'i2m-kill-'));
    const file = join(dir, 'webhooks.sqlite');
    const secret = generateWebhookSecret();
    const port = await closedPort(); // the receiver is down: connections are refused
    const url = `http://127.0.0.1:${port}/hook`;

    const child = spawn(process.execPath, ['--input-type=module', '-e', PRODUCER], {
      env: { PATH: process.env.PATH, DIST, FILE: file, SECRET: secret, URL: url, JOB },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acknowledged: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => acknowledged.push(line));
    await waitFor(async () => (acknowledged.length >= 50 ? true : undefined), { timeoutMs: 20_000, what: '50 acknowledged enqueues' });
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const killedAfter = [...acknowledged];

    // The receiver comes up on the same port, and the service restarts on the same file.
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => receiver.close(() => resolve())));
    const outbox = new SqliteWebhookOutbox({ file });
    cleanups.push(() => outbox.close());
    const before = await outbox.listForJob(JOB);
    expect(before.filter((d) => d.attempts > 0).length).toBeGreaterThan(0); // the dead process had tried, and failed
    const dispatcher = new WebhookDispatcher({ outbox, sign: createWebhookSigner(secret), policy: { allowHttp: true, allowPrivate: true }, schedule: parseRetrySchedule('0.05'), pollMs: 10 });
    cleanups.push(() => dispatcher.close());
    dispatcher.start();
    await waitFor(async () => ((await outbox.pendingCount(JOB)) === 0 ? true : undefined), { timeoutMs: 20_000, what: 'every delivery to be made' });

    const records = new Map((await outbox.listForJob(JOB)).map((d) => [d.id, d]));
    for (const id of killedAfter) expect(records.get(id)?.state).toBe('delivered');
    expect(records.size).toBeGreaterThanOrEqual(killedAfter.length); // at most the one enqueue in progress beyond them
    expect(records.size).toBeLessThanOrEqual(killedAfter.length + 1);
    const verifier = new Webhook(secret);
    for (const got of received) {
      const id = String(got.headers['webhook-id']);
      expect(records.get(id)?.body).toBe(got.body);
      expect(() => verifier.verify(got.body, got.headers as Record<string, string>)).not.toThrow();
    }
    expect(new Set(received.map((r) => r.headers['webhook-id']))).toEqual(new Set(records.keys()));
  });
});
