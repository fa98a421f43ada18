import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteWebhookOutbox } from '../adapters/fs/webhook-outbox.sqlite.js';
import { listWebhookDeliveries, redeliverWebhooks } from './webhook-deliveries.js';

const JOB = 'batch_20261207_000000_aaaaaa';
const URL = 'https://93.184.216.34/hook';

describe('webhook deliveries as the owner sees them', () => {
  let dir: string;
  let outbox: SqliteWebhookOutbox;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'i2m-deliveries-'));
    outbox = new SqliteWebhookOutbox({ file: join(dir, 'webhooks.sqlite') });
  });
  afterEach(async () => {
    await outbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  const body = (data: object) => JSON.stringify({ id: 'x', type: 'x', created_at: '2026-12-07T00:00:00.000Z', data });

  it('lists them in queueing order with the file id from the body, and never the body itself', async () => {
    await outbox.enqueue({ id: 'evt_1', job_id: JOB, type: 'file.failed', url: URL, body: body({ job_id: JOB, file_id: 'file_002' }) });
    await outbox.enqueue({ id: 'evt_2', job_id: JOB, type: 'job.finished', url: URL, body: body({ job_id: JOB, status: 'partial' }) });
    await outbox.enqueue({ id: 'evt_3', job_id: 'batch_20261207_000000_bbbbbb', type: 'file.completed', url: URL, body: body({ file_id: 'file_001' }) });

    const listed = await listWebhookDeliveries(outbox, JOB);
    expect(listed.job_id).toBe(JOB);
    expect(listed.deliveries.map((d) => [d.id, d.type, d.file_id, d.state, d.attempts])).toEqual([
      ['evt_1', 'file.failed', 'file_002', 'pending', 0],
      ['evt_2', 'job.finished', null, 'pending', 0],
    ]);
    expect(Object.keys(listed.deliveries[0] ?? {})).toEqual([
      'id', 'type', 'file_id', 'url', 'state', 'attempts', 'last_status', 'last_error', 'last_duration_ms', 'next_attempt_at', 'created_at', 'updated_at',
    ]);
  });

  it('makes exhausted deliveries pending again and answers how many; none exhausted is 0', async () => {
    await outbox.enqueue({ id: 'evt_1', job_id: JOB, type: 'file.completed', url: URL, body: body({ file_id: 'file_001' }) });
    expect(await redeliverWebhooks(outbox, JOB)).toEqual({ job_id: JOB, redelivered: 0 });
    await outbox.markGone(JOB, URL);
    expect((await listWebhookDeliveries(outbox, JOB)).deliveries[0]?.state).toBe('exhausted');

    expect(await redeliverWebhooks(outbox, JOB)).toEqual({ job_id: JOB, redelivered: 1 });
    expect((await listWebhookDeliveries(outbox, JOB)).deliveries[0]?.state).toBe('pending');
  });

  it('answers an empty list and 0 for a service built without an outbox', async () => {
    expect(await listWebhookDeliveries(undefined, JOB)).toEqual({ job_id: JOB, deliveries: [] });
    expect(await redeliverWebhooks(undefined, JOB)).toEqual({ job_id: JOB, redelivered: 0 });
  });
});
