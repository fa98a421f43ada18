import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from '@image2model/core';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { CLUSTER_KEY, startCluster } from '@image2model/testing/cluster';
import { makePhoto } from '@image2model/testing/images';
import { uploadBatch, waitFor, waitForJobStatus } from '@image2model/testing/http';
import { closedPort } from '@image2model/testing/net';
import { requireRedis } from '@image2model/testing/redis';
import { startPerEventReceiver, type EventAttempt } from '@image2model/testing/webhook-receiver';

const run = promisify(execFile);
const KEY = 'webhook-test-key-0001';
const SECRET = generateWebhookSecret();
const LOOPBACK_HOOKS = { PUBLIC_URL: 'https://i2m.example.com', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' };
const redisUp = await requireRedis();

interface Body {
  id: string;
  type: string;
  data: { job_id: string; file_id?: string; status: string };
}
const bodyOf = (attempt: { body: string }) => JSON.parse(attempt.body) as Body;
const headersOf = (attempt: EventAttempt | { headers: Record<string, unknown> }) => ({
  'webhook-id': String(attempt.headers['webhook-id']),
  'webhook-timestamp': String(attempt.headers['webhook-timestamp']),
  'webhook-signature': String(attempt.headers['webhook-signature']),
});

async function upload(baseUrl: string, key: string, files: number, webhookUrl: string): Promise<string> {
  const photo = await makePhoto();
  const res = await uploadBatch(`${baseUrl}/api/v1/upload/batch`, { key, files: Array.from({ length: files }, (_, i) => ({ name: `p${i}.png`, data: photo })), fields: { webhook_url: webhookUrl } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { job_id: string }).job_id;
}

/** One id per event (a file's final state, the job's end), and every attempt of an id the same bytes. */
function expectOneIdPerEvent(attempts: EventAttempt[]): Map<string, Body> {
  const byId = new Map<string, Body>();
  for (const attempt of attempts) {
    const body = bodyOf(attempt);
    expect(body.id).toBe(attempt.id);
    const seen = byId.get(attempt.id);
    if (seen) expect(body).toEqual(seen);
    byId.set(attempt.id, body);
  }
  const events = [...byId.values()].map((b) => `${b.data.job_id}:${b.type}:${b.data.file_id ?? b.data.status}`);
  expect(new Set(events).size).toBe(events.length);
  return byId;
}

describe('webhooks across processes (built server, real receivers)', () => {
  const children: ChildServer[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.child.exitCode === null) child.child.kill('SIGKILL');
  });

  it('loses no event to a SIGKILL while the receiver is down: after the restart every one arrives, duplicates only with the same webhook-id', { timeout: 90_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'i2m-webhook-kill-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const port = await closedPort();
    const env = { ...LOOPBACK_HOOKS, DATA_DIR: dataDir, API_KEYS: KEY, WEBHOOK_SECRET: SECRET, WEBHOOK_RETRY_SCHEDULE: Array(60).fill('0.3').join(','), WORKER_CONCURRENCY: '1' };
    const first = await startChildServer(env);
    children.push(first);
    const jobId = await upload(first.url, KEY, 4, `http://127.0.0.1:${port}/hook`);
    // Killed as soon as a file is final (and its webhook failing against the closed port), others still to come.
    await waitForJobStatus(`${first.url}/api/v1/status/${jobId}`, KEY, (b) => b.files.some((f) => f.status === 'completed'));
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startChildServer(env);
    children.push(second);
    const receiver = await startPerEventReceiver([], { port });
    onTestFinished(() => receiver.close());
    await waitForJobStatus(`${second.url}/api/v1/status/${jobId}`, KEY);
    await waitFor(async () => (new Set(receiver.attempts.map((a) => a.id)).size >= 5 ? true : undefined), { timeoutMs: 30_000, what: 'five events' });
    await new Promise((resolve) => setTimeout(resolve, 700));
    const events = [...expectOneIdPerEvent(receiver.attempts).values()];
    expect(events.filter((b) => b.type === 'file.completed').map((b) => b.data.file_id).sort()).toEqual(['file_001', 'file_002', 'file_003', 'file_004']);
    expect(events.filter((b) => b.type === 'job.finished').map((b) => b.data.status)).toEqual(['completed']);
    const verifier = new Webhook(SECRET);
    for (const attempt of receiver.attempts) verifier.verify(attempt.body, headersOf(attempt));
  });

  it('delivers to an https receiver whose self-signed certificate the server trusts through NODE_EXTRA_CA_CERTS', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'i2m-webhook-tls-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
    const received: { headers: Record<string, unknown>; body: string }[] = [];
    const tls = createServer({ key: await readFile(keyFile), cert: await readFile(certFile) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => tls.close(() => resolve())));
    const dataDir = join(dir, 'data');
    const server = await startChildServer({ PUBLIC_URL: 'https://i2m.example.com', WEBHOOK_ALLOW_PRIVATE: 'true', DATA_DIR: dataDir, API_KEYS: KEY, WEBHOOK_SECRET: SECRET, NODE_EXTRA_CA_CERTS: certFile });
    children.push(server);
    const jobId = await upload(server.url, KEY, 1, `https://localhost:${(tls.address() as AddressInfo).port}/hook`);
    await waitFor(async () => (received.length >= 2 ? true : undefined), { timeoutMs: 30_000, what: 'two webhooks over https' });
    const verifier = new Webhook(SECRET);
    expect(received.map((r) => (verifier.verify(r.body, headersOf(r)) as Body).type).sort()).toEqual(['file.completed', 'job.finished']);
    expect(received.every((r) => bodyOf(r).data.job_id === jobId)).toBe(true);
  });

  it.skipIf(!redisUp)('distributed, two API processes and a worker: each attempt made once (a cancel on the other API process too), signed with the secret generated once and shared', { timeout: 120_000 }, async () => {
    const cluster = await startCluster({ apis: 2, workers: 1, env: { ...LOOPBACK_HOOKS, WEBHOOK_RETRY_SCHEDULE: '0.3,0.3,0.3', WORKER_CONCURRENCY: '1' } });
    onTestFinished(() => cluster.stop());
    const receiver = await startPerEventReceiver([500]);
    onTestFinished(() => receiver.close());
    const [a, b] = cluster.apis;
    if (!a || !b) throw new Error('two API processes expected');
    const first = await upload(a.url, CLUSTER_KEY, 2, receiver.url);
    // Queued behind the first job's files on the one slot, and cancelled through the other API
    // process: its file.cancelled events are queued there, and sent by the worker.
    const second = await upload(b.url, CLUSTER_KEY, 4, receiver.url);
    const cancel = await fetch(`${b.url}/api/v1/jobs/${second}/cancel`, { method: 'POST', headers: { Authorization: `Bearer ${CLUSTER_KEY}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(cancel.status).toBe(200);
    const { cancelled_file_ids } = (await cancel.json()) as { cancelled_file_ids: string[] };
    expect(cancelled_file_ids.length).toBeGreaterThan(0);
    const expected = 3 + 4 + 1;
    await waitFor(async () => (receiver.attempts.length >= 2 * expected ? true : undefined), { timeoutMs: 60_000, what: 'two attempts of each event' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const events = expectOneIdPerEvent(receiver.attempts);
    expect(events.size).toBe(expected);
    for (const id of events.keys()) expect(receiver.ofEvent(id)).toHaveLength(2);
    const ofSecond = [...events.values()].filter((e) => e.data.job_id === second);
    expect(ofSecond.filter((e) => e.type === 'file.cancelled').map((e) => e.data.file_id).sort()).toEqual([...cancelled_file_ids].sort());
    expect([...events.values()].filter((e) => e.type === 'job.finished').map((e) => e.data.job_id).sort()).toEqual([first, second].sort());

    const file = join(cluster.dataDir, 'webhook-secret.txt');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const secret = (await readFile(file, 'utf8')).trim();
    const verifier = new Webhook(secret);
    for (const attempt of receiver.attempts) verifier.verify(attempt.body, headersOf(attempt));
  });
});
