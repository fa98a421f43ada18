import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { AppError, generateWebhookSecret, type WebhookDelivery } from '@image2model/core';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitFor, waitForJobStatus } from '@image2model/testing/http';
import { startPerEventReceiver, startTestReceiver, type EventAttempt, type PerEventReceiver, type TestReceiver } from '@image2model/testing/webhook-receiver';

/** What the provider says of every model it makes: the completed webhook carries it as the status does. */
const SYMMETRY_WARNING = { code: 'SYMMETRY_ASSUMED', message: 'The outline looks like a solid of revolution' } as const;

const SECRET = generateWebhookSecret();
const PUBLIC_URL = 'https://i2m.example.com';
/** Loopback receivers: both policies relaxed, a schedule of tenths of seconds. */
const ENV = { PUBLIC_URL, WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SECRET: SECRET, WEBHOOK_RETRY_SCHEDULE: '0.4,0.4,0.4' };

interface Body {
  id: string;
  type: string;
  created_at: string;
  data: Record<string, unknown>;
}

describe('webhooks sent (embedded mode, over HTTP, real receivers)', () => {
  const servers: TestServer[] = [];
  const receivers: (TestReceiver | PerEventReceiver)[] = [];
  let provider: FakeModelProvider;
  afterEach(async () => {
    provider.release();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });

  async function start(env: Record<string, string> = {}, dataDir?: string) {
    provider = new FakeModelProvider({ warnings: [SYMMETRY_WARNING], shape: 'revolved' });
    const server = await startTestServer({ provider, env: { ...ENV, ...env }, ...(dataDir ? { dataDir } : {}) });
    servers.push(server);
    return server;
  }
  async function upload(server: TestServer, files: number, webhook_url?: string): Promise<string> {
    const photos = await Promise.all(Array.from({ length: files }, async (_, i) => ({ name: `p${i}.png`, data: await makePhoto() })));
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: photos, fields: webhook_url ? { webhook_url } : {} });
    expect(res.status).toBe(200);
    return ((await res.json()) as { job_id: string }).job_id;
  }
  const deliveries = (server: TestServer, jobId: string): Promise<WebhookDelivery[]> => server.runtime.webhookOutbox.listForJob(jobId);
  const parsed = (attempt: { body: string }) => JSON.parse(attempt.body) as Body;

  it('sends the four event types with their bodies, signed so the standardwebhooks package verifies them; a tampered body or an old timestamp fails', async () => {
    const server = await start();
    const receiver = await startTestReceiver(204);
    receivers.push(receiver);
    provider.failNext(new AppError('PROCESSING_ERROR', 'The photo could not be read'));
    const mixed = await upload(server, 2, receiver.url);
    await waitForJobStatus(server.api(`/status/${mixed}`), USER_KEY);
    provider.hold();
    const cancelled = await upload(server, 1, receiver.url);
    await waitFor(async () => (provider.calls.some((c) => c.job_id === cancelled) ? true : undefined));
    const cancel = await fetch(server.api(`/jobs/${cancelled}/cancel`), { method: 'POST', headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' }, body: '{}' });
    expect(cancel.status).toBe(200);
    await waitFor(async () => (receiver.received.length >= 5 ? true : undefined), { what: 'five webhooks' });

    const verifier = new Webhook(SECRET);
    const bodies = receiver.received.map((r) => {
      const headers = { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) };
      expect(verifier.verify(r.body, headers)).toEqual(JSON.parse(r.body));
      expect(headers['webhook-id']).toBe(parsed(r).id);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      return { body: parsed(r), headers, raw: r.body };
    });
    const ofJob = (jobId: string) => bodies.filter((b) => b.body.data.job_id === jobId).map((b) => b.body);
    const byType = (jobId: string, type: string) => ofJob(jobId).find((b) => b.type === type);

    expect(ofJob(mixed).map((b) => b.type).sort()).toEqual(['file.completed', 'file.failed', 'job.finished']);
    const completed = byType(mixed, 'file.completed');
    const fileId = completed?.data.file_id as string;
    expect(completed?.data).toEqual({ job_id: mixed, file_id: fileId, status: 'completed', model_url: `${PUBLIC_URL}/api/v1/download/${mixed}/${fileId}/model`, model_task_id: expect.stringMatching(/^task_fake_/), error: null, warnings: [SYMMETRY_WARNING], shape: 'revolved' });
    expect(byType(mixed, 'file.failed')?.data).toMatchObject({ job_id: mixed, status: 'failed', model_url: null, error: { code: 'PROCESSING_ERROR', message: 'The photo could not be read' } });
    expect(byType(mixed, 'job.finished')?.data).toMatchObject({ job_id: mixed, status: 'partial', total_files: 2, processed_files: 1, failed_files: 1, cancelled_files: 0 });
    expect(ofJob(cancelled).map((b) => b.type)).toEqual(['file.cancelled', 'job.finished']);
    expect(byType(cancelled, 'file.cancelled')?.data).toMatchObject({ file_id: 'file_001', status: 'cancelled', model_url: null, error: null });
    expect(byType(cancelled, 'job.finished')?.data).toMatchObject({ status: 'cancelled', cancelled_files: 1 });
    for (const b of bodies) {
      expect(b.body.id).toMatch(/^evt_[0-9a-f]{32}$/);
      expect(Date.parse(b.body.created_at)).not.toBeNaN();
    }

    const [sample] = bodies;
    if (!sample) throw new Error('no webhook');
    expect(() => verifier.verify(sample.raw.replace('"status"', '"Status"'), sample.headers)).toThrow();
    const old = String(Math.floor(Date.now() / 1000) - 600);
    expect(() => verifier.verify(sample.raw, { ...sample.headers, 'webhook-timestamp': old })).toThrow();
    // Every one delivered, on the first attempt.
    expect((await deliveries(server, mixed)).map((d) => [d.state, d.attempts, d.last_status])).toEqual(Array(3).fill(['delivered', 1, 204]));
  });

  it('retries after a 500, a timeout and a dropped connection, after the schedule\'s delays, with the same webhook-id, then records it delivered', { timeout: 90_000 }, async () => {
    // A timeout of 1 s, not less: on a loaded CI host a receiver answering at once must not time out too.
    const server = await start({ WEBHOOK_TIMEOUT_MS: '1000' });
    const receiver = await startPerEventReceiver([500, 'hang', 'drop']);
    receivers.push(receiver);
    const jobId = await upload(server, 1, receiver.url);
    const settled = await waitFor(
      async () => {
        const all = await deliveries(server, jobId);
        return all.length === 2 && all.every((d) => d.state === 'delivered') ? all : undefined;
      },
      { timeoutMs: 60_000, what: 'both deliveries delivered' },
    );
    for (const delivery of settled) {
      const attempts: EventAttempt[] = receiver.ofEvent(delivery.id);
      expect(attempts).toHaveLength(4);
      expect(delivery).toMatchObject({ attempts: 4, last_status: 204, last_error: null, next_attempt_at: null });
      // Each retry waits its delay (0.4 s ± 10 %) after the failure; the timed-out one also waits its 1 s timeout.
      const gaps = attempts.slice(1).map((a, i) => a.at - (attempts[i] as EventAttempt).at);
      expect(gaps[0]).toBeGreaterThanOrEqual(340);
      expect(gaps[1]).toBeGreaterThanOrEqual(340 + 950);
      expect(gaps[2]).toBeGreaterThanOrEqual(340);
      expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    }
    const metrics = await server.metrics.registry.getSingleMetricAsString('image2model_webhook_deliveries_total');
    expect(metrics).toMatch(/outcome="retry"[^\n]* 6/);
    expect(metrics).toMatch(/outcome="delivered"[^\n]* 2/);
  });

  it("stops every later delivery of the job to a URL that answered 410 Gone, the next round's too", async () => {
    const server = await start();
    const receiver = await startTestReceiver(410);
    receivers.push(receiver);
    const jobId = await upload(server, 1, receiver.url);
    await waitFor(async () => ((await deliveries(server, jobId)).filter((d) => d.state === 'exhausted').length === 2 ? true : undefined));
    const heard = receiver.received.length;
    const again = await fetch(server.api('/models/generate-single'), { method: 'POST', headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' }, body: JSON.stringify({ job_id: jobId, file_id: 'file_001' }) });
    expect(again.status).toBe(200);
    await waitFor(async () => ((await deliveries(server, jobId)).length === 4 ? true : undefined));
    const all = await deliveries(server, jobId);
    expect(all.map((d) => d.state)).toEqual(['exhausted', 'exhausted', 'exhausted', 'exhausted']);
    expect(all.slice(2).every((d) => d.attempts === 0 && /410/.test(d.last_error ?? ''))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received.length).toBe(heard);
  });

  it('marks a delivery exhausted after the whole schedule, shows it over HTTP, and redelivers it on request with the same webhook-id', async () => {
    const server = await start();
    // 500 for every attempt of the schedule (1 + 3 retries), then 204.
    const receiver = await startPerEventReceiver([500, 500, 500, 500]);
    receivers.push(receiver);
    const jobId = await upload(server, 1, receiver.url);
    const list = async () => {
      const res = await fetch(server.api(`/jobs/${jobId}/webhooks`), { headers: auth(USER_KEY) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { job_id: string; deliveries: { id: string; type: string; state: string; attempts: number; last_status: number | null; next_attempt_at: string | null }[] }).deliveries;
    };
    const exhausted = await waitFor(async () => {
      const all = await list();
      return all.length === 2 && all.every((d) => d.state === 'exhausted') ? all : undefined;
    });
    for (const d of exhausted) expect(d).toMatchObject({ attempts: 4, last_status: 500, next_attempt_at: null });
    expect(receiver.attempts).toHaveLength(8);

    const redeliver = await fetch(server.api(`/jobs/${jobId}/webhooks/redeliver`), { method: 'POST', headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' }, body: '{}' });
    expect(redeliver.status).toBe(200);
    expect(await redeliver.json()).toEqual({ job_id: jobId, redelivered: 2 });
    const delivered = await waitFor(async () => {
      const all = await list();
      return all.every((d) => d.state === 'delivered') ? all : undefined;
    });
    for (const d of delivered) {
      expect(d).toMatchObject({ attempts: 1, last_status: 204, next_attempt_at: null });
      expect(receiver.ofEvent(d.id)).toHaveLength(5); // one id across every attempt, before and after
    }
    // Nothing is left to redeliver.
    const again = await fetch(server.api(`/jobs/${jobId}/webhooks/redeliver`), { method: 'POST', headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' }, body: '{}' });
    expect(await again.json()).toEqual({ job_id: jobId, redelivered: 0 });
  });

  it("does not delay another job's files while a receiver hangs", async () => {
    const server = await start({ WEBHOOK_CONCURRENCY: '2' });
    const hanging = await startTestReceiver('hang');
    receivers.push(hanging);
    const hooked = await upload(server, 2, hanging.url);
    await waitForJobStatus(server.api(`/status/${hooked}`), USER_KEY);
    await waitFor(async () => (hanging.received.length >= 2 ? true : undefined));
    const other = await upload(server, 3);
    const status = await waitForJobStatus(server.api(`/status/${other}`), USER_KEY);
    expect(status.status).toBe('completed');
    // Both slots still held by the hanging receiver (the default timeout is 10 s): nothing recorded yet.
    expect((await deliveries(server, hooked)).every((d) => d.attempts === 0)).toBe(true);
  });

  it('checks the address again at delivery: a job made while private addresses were allowed is refused once they are not (retried, never received)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'i2m-webhook-ssrf-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const first = await start({}, dataDir);
    const receiver = await startTestReceiver(204);
    receivers.push(receiver);
    provider.hold();
    const jobId = await upload(first, 1, receiver.url);
    await waitFor(async () => (provider.calls.length > 0 ? true : undefined));
    // Stopped with its file still generating: the restart generates it again.
    servers.splice(servers.indexOf(first), 1);
    await first.close({ graceMs: 0 });

    const second = await start({ WEBHOOK_ALLOW_PRIVATE: 'false' }, dataDir);
    await waitForJobStatus(second.api(`/status/${jobId}`), USER_KEY);
    const refused = await waitFor(async () => {
      const all = await deliveries(second, jobId);
      return all.length === 2 && all.every((d) => d.attempts >= 1) ? all : undefined;
    });
    for (const delivery of refused) {
      expect(delivery.state).toBe('pending');
      expect(delivery.last_status).toBeNull();
      expect(delivery.last_error).toMatch(/non-public address/);
    }
    expect(receiver.received).toEqual([]);
  });
});
