import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { waitFor } from '@image2model/testing/http';
import { startTestReceiver, type ReceiverBehaviour, type TestReceiver } from '@image2model/testing/webhook-receiver';
import { SqliteWebhookOutbox } from '../adapters/fs/webhook-outbox.sqlite.js';
import { parseRetrySchedule } from './retry-schedule.js';
import { WebhookDispatcher, type WebhookAttemptKind, type WebhookDispatcherOptions } from './webhook-dispatcher.js';
import { makeDelivery } from './webhook-outbox.contract.js';
import { GONE_REASON, type WebhookDelivery } from './webhook-outbox.js';
import { createWebhookSigner, generateWebhookSecret } from './webhook-signing.js';

const secret = generateWebhookSecret();
const loopback = { allowHttp: true, allowPrivate: true };

describe('WebhookDispatcher (embedded outbox, loopback receivers)', () => {
  let dir: string;
  let outbox: SqliteWebhookOutbox;
  const dispatchers: WebhookDispatcher[] = [];
  const receivers: TestReceiver[] = [];
  const kinds: WebhookAttemptKind[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'i2m-dispatch-'));
    outbox = new SqliteWebhookOutbox({ file: join(dir, 'webhooks.sqlite') });
    kinds.length = 0;
  });
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.close()));
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
    await outbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function receiver(then: ReceiverBehaviour = 204, script: ReceiverBehaviour[] = []) {
    const started = await startTestReceiver(then, script);
    receivers.push(started);
    return started;
  }

  function dispatcher(overrides: Partial<WebhookDispatcherOptions> = {}) {
    const started = new WebhookDispatcher({
      outbox,
      sign: createWebhookSigner(secret),
      policy: loopback,
      schedule: parseRetrySchedule('0.2,0.4,0.6'),
      timeoutMs: 300,
      pollMs: 20,
      closeGraceMs: 100,
      metrics: { attempted: ({ kind }) => kinds.push(kind) },
      ...overrides,
    });
    dispatchers.push(started);
    started.start();
    return started;
  }

  const recordOf = async (delivery: { id: string; job_id: string }): Promise<WebhookDelivery | undefined> =>
    (await outbox.listForJob(delivery.job_id)).find((record) => record.id === delivery.id);
  const settled = (delivery: { id: string; job_id: string }) =>
    waitFor(async () => {
      const record = await recordOf(delivery);
      return record && record.state !== 'pending' ? record : undefined;
    }, { timeoutMs: 10_000, what: `delivery ${delivery.id} to settle` });

  it('delivers an event once, signed so that standardwebhooks verifies it, and records it delivered', async () => {
    const hook = await receiver();
    const delivery = makeDelivery({ url: hook.url });
    await outbox.enqueue(delivery);
    dispatcher();
    expect(await settled(delivery)).toMatchObject({ state: 'delivered', attempts: 1, last_status: 204, last_error: null, next_attempt_at: null });
    expect(hook.received).toHaveLength(1);
    const [got] = hook.received;
    expect(got?.body).toBe(delivery.body);
    expect(new Webhook(secret).verify(got!.body, got!.headers as Record<string, string>)).toEqual(JSON.parse(delivery.body));
    expect(got?.headers['webhook-id']).toBe(delivery.id);
    expect(kinds).toEqual(['delivered']);
  });

  it('retries after a 500, a timeout and a dropped connection, waiting the schedule between attempts, with the same id and body', async () => {
    const hook = await receiver(204, [500, 'hang', 'drop']);
    const delivery = makeDelivery({ url: hook.url });
    await outbox.enqueue(delivery);
    dispatcher();
    const record = await settled(delivery);
    expect(record).toMatchObject({ state: 'delivered', attempts: 4, last_status: 204 });
    expect(hook.received).toHaveLength(4);
    expect(new Set(hook.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery.id]));
    expect(new Set(hook.received.map((r) => r.body))).toEqual(new Set([delivery.body]));
    for (const got of hook.received) expect(() => new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).not.toThrow();
    const gaps = hook.received.slice(1).map((r, i) => r.at - hook.received[i]!.at);
    // After the 500: 200 ms ± 10 %. After the hang: its 300 ms timeout, then 400 ms ± 10 %. After the drop: 600 ms ± 10 %.
    const expected = [200, 300 + 400, 600];
    const jitter = [20, 40, 60];
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(expected[i]! - jitter[i]! - 5);
      expect(gap).toBeLessThanOrEqual(expected[i]! + jitter[i]! + 250); // + a poll and a connection, on a busy machine
    });
    expect(kinds).toEqual(['retrying', 'retrying', 'retrying', 'delivered']);
  });

  it('gives up after the last delay, then delivers again when redelivered', async () => {
    const hook = await receiver(503);
    const delivery = makeDelivery({ url: hook.url });
    await outbox.enqueue(delivery);
    dispatcher({ schedule: parseRetrySchedule('0.1,0.1') });
    expect(await settled(delivery)).toMatchObject({ state: 'exhausted', attempts: 3, last_status: 503, next_attempt_at: null });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hook.received).toHaveLength(3);
    expect(kinds).toEqual(['retrying', 'retrying', 'exhausted']);

    hook.then = 200;
    expect(await outbox.redeliver(delivery.job_id)).toBe(1);
    dispatchers[0]!.wake();
    expect(await settled(delivery)).toMatchObject({ state: 'delivered', attempts: 1, last_status: 200 });
    expect(hook.received).toHaveLength(4);
    expect(hook.received[3]?.headers['webhook-id']).toBe(delivery.id);
  });

  it('stops every later delivery of the job to a URL that answered 410, and only those', async () => {
    const gone = await receiver(204, [410]);
    const other = await receiver();
    const first = makeDelivery({ url: gone.url });
    const queuedBehind = makeDelivery({ url: gone.url });
    await outbox.enqueue(first);
    await outbox.enqueue(queuedBehind);
    dispatcher({ concurrency: 1 });
    expect(await settled(first)).toMatchObject({ state: 'exhausted', attempts: 1, last_status: 410 });
    expect(await settled(queuedBehind)).toMatchObject({ state: 'exhausted', attempts: 0, last_error: GONE_REASON });
    const later = makeDelivery({ url: gone.url, type: 'job.finished' });
    const elsewhere = makeDelivery({ url: other.url });
    const otherJob = makeDelivery({ url: gone.url, job_id: 'batch_20240315_123456_other0' });
    for (const delivery of [later, elsewhere, otherJob]) await outbox.enqueue(delivery);
    dispatchers[0]!.wake();
    expect(await settled(elsewhere)).toMatchObject({ state: 'delivered' });
    expect(await settled(otherJob)).toMatchObject({ state: 'delivered' });
    expect(await recordOf(later)).toMatchObject({ state: 'exhausted', attempts: 0, last_error: GONE_REASON });
    expect(gone.received.map((r) => r.headers['webhook-id'])).toEqual([first.id, otherJob.id]);
    expect(kinds).toContain('gone');
  });

  it('does not follow a redirect: the attempt fails and is retried, the target hears nothing', async () => {
    const target = await receiver();
    const redirecting = await receiver({ redirect: target.url });
    const delivery = makeDelivery({ url: redirecting.url });
    await outbox.enqueue(delivery);
    dispatcher({ schedule: parseRetrySchedule('0.1') });
    expect(await settled(delivery)).toMatchObject({ state: 'exhausted', attempts: 2, last_status: 302, last_error: 'redirects are not followed' });
    expect(target.received).toHaveLength(0);
  });

  it('refuses at delivery a URL whose host is loopback when private addresses are not allowed', async () => {
    const hook = await receiver();
    const delivery = makeDelivery({ url: hook.url.replace('127.0.0.1', 'localhost') });
    await outbox.enqueue(delivery);
    dispatcher({ policy: { allowHttp: true }, schedule: parseRetrySchedule('0.05') });
    expect(await settled(delivery)).toMatchObject({ state: 'exhausted', attempts: 2, last_status: null, last_error: expect.stringMatching(/non-public address \(localhost → /) });
    expect(hook.received).toHaveLength(0);
  });

  it('keeps delivering while a receiver hangs: the hanging one holds one slot until its timeout', async () => {
    const hanging = await receiver('hang');
    const healthy = await receiver();
    const stuck = makeDelivery({ url: hanging.url });
    await outbox.enqueue(stuck);
    const pool = dispatcher({ concurrency: 2, timeoutMs: 3000 });
    await waitFor(async () => (hanging.received.length === 1 ? true : undefined), { what: 'the hanging receiver to be called' });
    const started = Date.now();
    const quick = [makeDelivery({ url: healthy.url }), makeDelivery({ url: healthy.url, job_id: 'batch_20240315_123456_other0' })];
    for (const delivery of quick) await outbox.enqueue(delivery);
    pool.wake();
    for (const delivery of quick) expect(await settled(delivery)).toMatchObject({ state: 'delivered' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(pool.busy).toBe(1);
    expect(await recordOf(stuck)).toMatchObject({ state: 'pending', attempts: 0 });
  });

  it('gives an attempt in flight back when closed, and the next dispatcher makes it', async () => {
    const hook = await receiver(204, ['hang']);
    const delivery = makeDelivery({ url: hook.url });
    await outbox.enqueue(delivery);
    const first = dispatcher({ timeoutMs: 5000, closeGraceMs: 100 });
    await waitFor(async () => (hook.received.length === 1 ? true : undefined), { what: 'the first attempt' });
    const closing = Date.now();
    await first.close();
    expect(Date.now() - closing).toBeLessThan(1000);
    expect(await recordOf(delivery)).toMatchObject({ state: 'pending', attempts: 0 });
    dispatcher();
    expect(await settled(delivery)).toMatchObject({ state: 'delivered', attempts: 1 });
    expect(hook.received.map((r) => r.headers['webhook-id'])).toEqual([delivery.id, delivery.id]);
  });
});
