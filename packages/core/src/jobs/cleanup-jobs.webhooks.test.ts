import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsJobEvents } from '../adapters/fs/job-events.fs.js';
import { FsJobStore } from '../adapters/fs/job-store.fs.js';
import { SqliteWebhookOutbox } from '../adapters/fs/webhook-outbox.sqlite.js';
import type { Logger } from '../logger.js';
import { FsBlobStorage } from '../storage/blob-storage.fs.js';
import { makeDelivery } from '../webhooks/webhook-outbox.contract.js';
import { cleanupJobs, type CleanupDeps } from './cleanup-jobs.js';
import { makeFileRecord, makeJobRecord } from './job-store.contract.js';

describe('cleanup and webhook deliveries', () => {
  let root: string;
  let deps: CleanupDeps & { store: FsJobStore; webhookOutbox: SqliteWebhookOutbox };
  const logged: { fields: Record<string, unknown>; msg: string }[] = [];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'i2m-cleanup-hooks-'));
    logged.length = 0;
    const record = (fields: Record<string, unknown>, msg: string) => logged.push({ fields, msg });
    const logger = { info: record, warn: record, error: record, debug: record } as unknown as Logger;
    const events = new FsJobEvents({ root });
    deps = {
      store: await FsJobStore.open({ root, events }),
      events,
      storage: new FsBlobStorage({ root }),
      logger,
      // Two hours on: every job made now is past a one-hour threshold.
      now: () => new Date(Date.now() + 2 * 3_600_000),
      webhookOutbox: new SqliteWebhookOutbox({ file: join(root, 'webhooks.sqlite') }),
    };
  });
  afterEach(async () => {
    await deps.webhookOutbox.close();
    await deps.store.close();
    await deps.events.close();
    await rm(root, { recursive: true, force: true });
  });

  async function finishedJobWithDelivery() {
    const job = makeJobRecord();
    await deps.store.create(job, [makeFileRecord(0, job.job_id, { status: 'completed' })]);
    const delivery = makeDelivery({ job_id: job.job_id });
    await deps.webhookOutbox.enqueue(delivery);
    return job.job_id;
  }

  it('retention keeps a job while a delivery is pending, and deletes it (and its records) once none is', async () => {
    const jobId = await finishedJobWithDelivery();
    await cleanupJobs(deps, 1, { keepPendingWebhooks: true });
    expect(await deps.store.get(jobId)).not.toBeNull();
    expect(logged.some((l) => l.fields.job_id === jobId && /still has webhooks to deliver/.test(l.msg))).toBe(true);

    const [claim] = await deps.webhookOutbox.claimDue({ limit: 1, leaseMs: 10_000 });
    if (!claim) throw new Error('no claim');
    await deps.webhookOutbox.complete(claim, { status: 204, error: null, duration_ms: 3, next: { state: 'delivered' } });
    await cleanupJobs(deps, 1, { keepPendingWebhooks: true });
    expect(await deps.store.get(jobId)).toBeNull();
    expect(await deps.webhookOutbox.listForJob(jobId)).toEqual([]);
  });

  it('/admin/cleanup deletes a job with pending deliveries, deliveries included, and logs how many', async () => {
    const jobId = await finishedJobWithDelivery();
    await cleanupJobs(deps, 1);
    expect(await deps.store.get(jobId)).toBeNull();
    expect(await deps.webhookOutbox.listForJob(jobId)).toEqual([]);
    expect(logged.find((l) => l.fields.job_id === jobId && l.fields.deliveries !== undefined)?.fields.deliveries).toBe(1);
  });
});
