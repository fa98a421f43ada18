import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsJobEvents } from '../adapters/fs/job-events.fs.js';
import { FsJobStore } from '../adapters/fs/job-store.fs.js';
import { SqliteWebhookOutbox } from '../adapters/fs/webhook-outbox.sqlite.js';
import { makeFileRecord, makeJobRecord } from '../jobs/job-store.contract.js';
import { createSequentialTransitions } from '../jobs/sequential-transitions.js';
import type { FileTransitions } from '../jobs/file-transitions.js';
import { silentLogger } from '../logger.js';
import { createWebhookFeeder, type WebhookFeeder } from './feed-webhooks.js';
import { withWebhookFeeding } from './feeding-transitions.js';
import { webhookEventId, type WebhookBody } from './webhook-message.js';

const URL_A = 'https://hooks.example.com/a';
const URL_B = 'https://hooks.example.com/b';
const FAILURE = { code: 'PROCESSING_ERROR', message: 'The photo could not be read' };
const modelUrl = (jobId: string, fileId: string) => `https://i2m.example.com/api/v1/download/${jobId}/${fileId}/model`;

describe('feeding the job log to the webhook outbox (embedded adapters)', () => {
  let root: string;
  let store: FsJobStore;
  let events: FsJobEvents;
  let outbox: SqliteWebhookOutbox;
  let feeder: WebhookFeeder;
  let transitions: FileTransitions;

  async function open(): Promise<void> {
    events = new FsJobEvents({ root });
    store = await FsJobStore.open({ root, events });
    outbox = new SqliteWebhookOutbox({ file: join(root, 'webhooks.sqlite') });
    feeder = createWebhookFeeder({ store, events, outbox, logger: silentLogger, modelUrl });
    transitions = withWebhookFeeding(createSequentialTransitions({ store, events, logger: silentLogger }), feeder, silentLogger);
  }
  async function close(): Promise<void> {
    await feeder.idle();
    await outbox.close();
    await store.close();
    await events.close();
  }

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'i2m-feed-'));
    await open();
  });
  afterEach(async () => {
    await close();
    await rm(root, { recursive: true, force: true });
  });

  async function job(files: number, webhook_url: string | null) {
    const record = makeJobRecord({ webhook_url });
    await store.create(record, Array.from({ length: files }, (_, i) => makeFileRecord(i, record.job_id, { status: 'processing', model_task_id: `task_${i + 1}` })));
    return record.job_id;
  }
  const bodies = async (jobId: string) => (await outbox.listForJob(jobId)).map((d) => ({ ...d, parsed: JSON.parse(d.body) as WebhookBody }));

  it('queues file.completed, file.failed, file.cancelled and job.finished with their bodies, each once, with ids derived from the log', async () => {
    const jobId = await job(3, URL_A);
    await transitions.finish(jobId, 'file_001', { status: 'completed' }, {}, { type: 'completed', warnings: [], shape: null });
    await transitions.finish(jobId, 'file_002', { status: 'failed', error: FAILURE }, {}, { type: 'failed', error: FAILURE });
    await transitions.finish(jobId, 'file_003', { status: 'cancelled' }, {}, { type: 'cancelled' });
    await feeder.idle();
    const queued = await bodies(jobId);
    expect(queued.map((d) => [d.type, d.url, d.state])).toEqual([
      ['file.completed', URL_A, 'pending'],
      ['file.failed', URL_A, 'pending'],
      ['file.cancelled', URL_A, 'pending'],
      ['job.finished', URL_A, 'pending'],
    ]);
    const [completed, failed, cancelled, finished] = queued.map((d) => d.parsed);
    expect(completed?.data).toEqual({ job_id: jobId, file_id: 'file_001', status: 'completed', model_url: modelUrl(jobId, 'file_001'), model_task_id: 'task_1', error: null, warnings: [], shape: null });
    expect(failed?.data).toEqual({ job_id: jobId, file_id: 'file_002', status: 'failed', model_url: null, model_task_id: 'task_2', error: FAILURE });
    expect(cancelled?.data).toMatchObject({ status: 'cancelled', model_url: null, error: null });
    expect(finished?.data).toMatchObject({ job_id: jobId, status: 'partial', total_files: 3, processed_files: 1, failed_files: 1, cancelled_files: 1, progress: expect.any(Number) });
    const log = await events.since(jobId, null);
    const finalIds = log.filter((e) => e.type !== 'progress' && e.type !== 'log').map((e) => webhookEventId(jobId, e.id));
    expect(queued.map((d) => d.id)).toEqual(finalIds);
    for (const d of queued) expect(d.parsed.id).toBe(d.id);
    // The cursor is past the log's end: feeding again finds nothing new.
    expect((await store.get(jobId))?.job.webhook_cursor).toBe(log.at(-1)?.id);
    expect(await feeder.feed(jobId)).toBe(0);
    expect(await outbox.listForJob(jobId)).toHaveLength(4);
  });

  it('passes over the events of a job with no URL, so a URL a retry sets gets only what follows, and job.finished again', async () => {
    const jobId = await job(1, null);
    await transitions.finish(jobId, 'file_001', { status: 'failed', error: FAILURE }, {}, { type: 'failed', error: FAILURE });
    await feeder.idle();
    expect(await outbox.listForJob(jobId)).toEqual([]);
    expect((await store.get(jobId))?.job.webhook_cursor ?? null).toBeNull(); // its log was not even read

    await store.restartFile(jobId, 'file_001', { face_limit: null, model_task_id: 'task_9' }, { status: ['failed'] });
    await feeder.skipToEnd(jobId); // what the job service does before setting a first URL
    await store.setWebhookUrl(jobId, URL_B);
    await transitions.finish(jobId, 'file_001', { status: 'completed' }, {}, { type: 'completed', warnings: [], shape: null });
    await feeder.idle();
    const queued = await bodies(jobId);
    expect(queued.map((d) => [d.type, d.url])).toEqual([
      ['file.completed', URL_B],
      ['job.finished', URL_B],
    ]);
    expect(queued[0]?.parsed.data).toMatchObject({ model_task_id: 'task_9' });
    expect(queued[1]?.parsed.data).toMatchObject({ status: 'completed', processed_files: 1 });
  });

  it('queues at the next start what a crash kept from being fed (the recovery of the jobs the previous run changed)', async () => {
    const jobId = await job(2, URL_A);
    // Marked and announced without feeding: as if the process died right after.
    const plain = createSequentialTransitions({ store, events, logger: silentLogger });
    await plain.finish(jobId, 'file_001', { status: 'completed' }, {}, { type: 'completed', warnings: [], shape: null });
    await plain.finish(jobId, 'file_002', { status: 'completed' }, {}, { type: 'completed', warnings: [], shape: null });
    expect(await outbox.listForJob(jobId)).toEqual([]);
    await close();

    events = new FsJobEvents({ root });
    outbox = new SqliteWebhookOutbox({ file: join(root, 'webhooks.sqlite') });
    const recovered: string[][] = [];
    store = await FsJobStore.open({
      root,
      events,
      recover: async (opened, jobIds) => {
        recovered.push([...jobIds]);
        return createWebhookFeeder({ store: opened, events, outbox, logger: silentLogger, modelUrl }).feedAll(jobIds);
      },
    });
    feeder = createWebhookFeeder({ store, events, outbox, logger: silentLogger, modelUrl });
    expect(recovered).toEqual([[jobId]]);
    expect((await outbox.listForJob(jobId)).map((d) => d.type)).toEqual(['file.completed', 'file.completed', 'job.finished']);
  });

  it('feeds one job once at a time: asks before a feed starts join it, an ask while it runs gets one after it', async () => {
    const jobId = await job(1, URL_A);
    await createSequentialTransitions({ store, events, logger: silentLogger }).finish(jobId, 'file_001', { status: 'completed' }, {}, { type: 'completed', warnings: [], shape: null });
    const first = feeder.feed(jobId);
    expect(feeder.feed(jobId)).toBe(first);
    await Promise.resolve(); // the first feed starts
    await Promise.resolve();
    const second = feeder.feed(jobId);
    expect(second).not.toBe(first);
    expect(await Promise.all([first, second])).toEqual([2, 0]);
  });
});
