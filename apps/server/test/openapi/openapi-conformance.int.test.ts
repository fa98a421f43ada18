import { mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ERROR_STATUS, type ErrorCode } from '@image2model/core';
import type { JobStore } from '@image2model/core';
import { FakeModelProvider } from '@image2model/core/testing';
import { newPrefix, requireRedis, startPrivateRedis } from '@image2model/testing/redis';
import { ADMIN_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { waitFor } from '@image2model/testing/http';
import { mountSmallDisk, type SmallDisk } from '@image2model/testing/small-disk';
import { createExchangeRecorder, jsonOf, type Exchange, type SendOptions } from '../../src/openapi/exchange-recorder.js';
import { createResponseValidator, type Verdict } from '../../src/openapi/response-validator.js';

// 507 needs a full disk: a private tmpfs, as in security/disk-full.int.test.ts (root, as in CI).
const disk = await mountSmallDisk(16);
const diskUnavailable = 'unavailable' in disk ? disk.unavailable : null;
if (diskUnavailable && process.env.CI) throw new Error(diskUnavailable);
// 503 needs a Redis that goes away: a private redis-server (requireRedis fails in CI when Redis is missing).
const redisAvailable = await requireRedis();

const UNKNOWN_JOB = 'batch_20990101_000000_aaaaaa';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const api = (path: string) => `/api/v1${path}`;

function form(files: { name: string; data: Buffer }[], fields: Record<string, string> = {}): FormData {
  const body = new FormData();
  for (const file of files) body.append('files', new Blob([file.data], { type: 'image/png' }), file.name);
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  return body;
}

/** A multiview upload: one PNG per named view. */
function viewsForm(views: Record<string, Buffer>): FormData {
  const body = new FormData();
  for (const [view, data] of Object.entries(views)) body.append(view, new Blob([data], { type: 'image/png' }), `${view}.png`);
  return body;
}

/**
 * Declared answers that no request provokes on purpose, each with its reason: the only ones allowed
 * to go unreached. Anything else a document declares must be answered here at least once.
 */
function unreachedReason(operationId: string, status: string): string | null {
  if (status === '500') return 'PROCESSING_ERROR is what an unexpected failure (a bug) becomes; no request provokes one on purpose';
  if (operationId === 'models-printReport' && status === '200') {
    return "the fake provider stores placeholder bytes, not a GLB, so there is nothing to measure (its 500 is answered here); the 200 is tested on real models in formats/print-report.int.test.ts, and tRPC checks it against the output schema";
  }
  if (status === '507' && diskUnavailable) return `507 needs a full disk: ${diskUnavailable}`;
  if (status === '503' && !redisAvailable) return '503 needs a Redis that goes away, and no Redis is available here';
  return null;
}

describe('every answer the service gives conforms to its served OpenAPI document', { timeout: 120_000 }, () => {
  const verdicts: { exchange: Exchange; verdict: Verdict }[] = [];
  const events: { name: string | null; data: unknown }[] = [];
  let document: { components?: object };
  let declared: Map<string, string[]>;

  /** One request of each rate-limited operation: under a spent budget each must be 429, with Redis gone 503. */
  let sampleRequests: Record<string, [method: string, path: string, opts?: SendOptions]>;

  /** Holds job creation while set: an upload keeps its Idempotency-Key in use meanwhile. */
  let createGate: Promise<void> | null = null;
  let reachedCreate: (() => void) | null = null;
  const gatedStore = (store: JobStore): JobStore =>
    Object.assign(Object.create(store) as JobStore, {
      async create(...args: Parameters<JobStore['create']>) {
        reachedCreate?.();
        if (createGate) await createGate;
        return store.create(...args);
      },
      async get(...args: Parameters<JobStore['get']>) {
        reachedGet?.();
        if (getGate) await getGate;
        return store.get(...args);
      },
    });
  /** Holds job reads while set: a cancel keeps its Idempotency-Key in use meanwhile. */
  let getGate: Promise<void> | null = null;
  let reachedGet: (() => void) | null = null;

  /** The whole session against one server: every operation, every status it can answer on purpose. */
  async function exerciseEveryStatus(server: TestServer, provider: FakeModelProvider, dataDir: string, small: SmallDisk | null) {
    const { send, exchanges } = createExchangeRecorder(server.url);
    const user = { headers: bearer(USER_KEY) };
    const admin = { headers: bearer(ADMIN_KEY) };
    const photo = await makePhoto();

    await send('GET', api('/health'));
    await send('GET', api('/health/ready'));

    const upload = await send('POST', api('/upload/batch'), { ...user, body: form([{ name: 'chair.png', data: photo }]) });
    expect(upload.status).toBe(200);
    const { job_id: jobId, session_id: sessionId } = jsonOf<{ job_id: string; session_id: string }>(upload);
    await send('POST', api('/upload/batch'), { body: form([{ name: 'chair.png', data: photo }]) });
    await send('POST', api('/upload/batch'), { ...user, body: form([], { face_limit: '1000' }) });
    // MAX_FILE_SIZE_MB is 1 here.
    await send('POST', api('/upload/batch'), { ...user, body: form([{ name: 'big.png', data: Buffer.concat([photo, Buffer.alloc(1024 * 1024)]) }]) });

    // Idempotency-Key: 409 while the first upload with the key is held in the store, then its replay, then 422 for other files.
    const keyed = (key: string) => ({ headers: { ...user.headers, 'idempotency-key': key } });
    let openGate = () => {};
    createGate = new Promise<void>((resolve) => (openGate = resolve));
    const reached = new Promise<void>((resolve) => (reachedCreate = resolve));
    const held = send('POST', api('/upload/batch'), { ...keyed('conformance-upload'), body: form([{ name: 'chair.png', data: photo }]) });
    await reached;
    expect((await send('POST', api('/upload/batch'), { ...keyed('conformance-upload'), body: form([{ name: 'chair.png', data: photo }]) })).status).toBe(409);
    createGate = null;
    reachedCreate = null;
    openGate();
    expect((await held).status).toBe(200);
    const replayed = await send('POST', api('/upload/batch'), { ...keyed('conformance-upload'), body: form([{ name: 'chair.png', data: photo }]) });
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect((await send('POST', api('/upload/batch'), { ...keyed('conformance-upload'), body: form([{ name: 'table.png', data: photo }]) })).status).toBe(422);

    // The multiview upload: its answer, the same refusals (a missing front view here) and idempotency.
    expect((await send('POST', api('/upload/multiview'), { ...user, body: viewsForm({ front: photo, left: photo }) })).status).toBe(200);
    await send('POST', api('/upload/multiview'), { body: viewsForm({ front: photo, left: photo }) });
    await send('POST', api('/upload/multiview'), { ...user, body: viewsForm({ left: photo }) });
    await send('POST', api('/upload/multiview'), { ...user, body: viewsForm({ front: Buffer.concat([photo, Buffer.alloc(1024 * 1024)]), left: photo }) });
    createGate = new Promise<void>((resolve) => (openGate = resolve));
    const reachedViews = new Promise<void>((resolve) => (reachedCreate = resolve));
    const heldViews = send('POST', api('/upload/multiview'), { ...keyed('conformance-multiview'), body: viewsForm({ front: photo, right: photo }) });
    await reachedViews;
    expect((await send('POST', api('/upload/multiview'), { ...keyed('conformance-multiview'), body: viewsForm({ front: photo, right: photo }) })).status).toBe(409);
    createGate = null;
    reachedCreate = null;
    openGate();
    expect((await heldViews).status).toBe(200);
    expect((await send('POST', api('/upload/multiview'), { ...keyed('conformance-multiview'), body: viewsForm({ front: photo, left: photo }) })).status).toBe(422);

    const status = api(`/status/${jobId}`);
    const completed = async () => {
      const answer = await send('GET', status, user);
      return jsonOf<{ status: string }>(answer).status === 'completed' ? true : undefined;
    };
    await waitFor(completed, { what: 'the job to complete' });
    await send('GET', `${status}?session_id=${sessionId}`);
    await send('GET', status);
    await send('GET', api(`/status/${UNKNOWN_JOB}`), user);
    await send('GET', `${status}?session_id=a&session_id=b`, user);

    const stream = api(`/status/stream/${jobId}`);
    const streamed = await send('GET', stream, user);
    await send('GET', `${stream}?session_id=${sessionId}`);
    await send('GET', stream);
    await send('GET', api(`/status/stream/${UNKNOWN_JOB}`), user);
    await send('GET', `${stream}?session_id=a&session_id=b`, user);
    for (const block of streamed.body.toString('utf8').split('\n\n')) {
      const lines = block.split('\n');
      const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
      const name = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? null;
      if (data) events.push({ name, data: JSON.parse(data) as unknown });
    }

    for (const download of [`/download/${jobId}/file_001/model`, `/download/${jobId}/file_001/preview`, `/download/${jobId}/file_001/photo`, `/download/${jobId}/all`, `/download/${jobId}/file_001/report`]) {
      await send('GET', api(download), user);
      await send('GET', api(`${download}?session_id=${sessionId}`));
      await send('GET', api(download));
    }
    await send('GET', api(`/download/${jobId}/file_999/model`), user);
    await send('GET', api(`/download/${jobId}/file_999/preview`), user);
    await send('GET', api(`/download/${jobId}/file_999/photo`), user);
    await send('GET', api(`/download/${UNKNOWN_JOB}/all`), user);
    // An unknown format, a height out of range.
    await send('GET', api(`/download/${jobId}/file_001/model?format=fbx`), user);
    await send('GET', api(`/download/${jobId}/file_001/model?format=stl&height_mm=0`), user);
    await send('GET', api(`/download/${jobId}/all?format=fbx`), user);
    await send('GET', api(`/download/${jobId}/file_999/report`), user);
    await send('GET', api(`/download/${jobId}/file_001/report?height_mm=0`), user);

    const generate = api('/models/generate-single');
    const again = { job_id: jobId, file_id: 'file_001' };
    await send('POST', generate, { ...user, body: { ...again, face_limit: 'many' } });
    await send('POST', generate, { body: again });
    await send('POST', generate, { ...user, body: { ...again, job_id: UNKNOWN_JOB } });
    await send('POST', generate, { ...user, body: { ...again, padding: 'x'.repeat(1024 * 1024) } });
    provider.hold();
    await send('POST', generate, { ...user, body: again });
    await send('POST', generate, { ...user, body: again });
    provider.release();
    await waitFor(completed, { what: 'the file to complete again' });
    expect((await send('POST', generate, { ...keyed('conformance-regen'), body: again })).status).toBe(200);
    expect((await send('POST', generate, { ...keyed('conformance-regen'), body: again })).headers['idempotent-replayed']).toBe('true');
    expect((await send('POST', generate, { ...keyed('conformance-regen'), body: { ...again, face_limit: 5000 } })).status).toBe(422);
    await waitFor(completed, { what: 'the file to complete once more' });

    const list = await send('GET', api('/jobs?limit=1&status=processing,completed&status=partial&created_after=2000-01-01T00:00:00Z'), user);
    expect(list.status).toBe(200);
    await send('GET', api(`/jobs?cursor=${encodeURIComponent(String(jsonOf<{ next_cursor: string | null }>(list).next_cursor ?? 'x.y'))}`), user);
    await send('GET', api('/jobs?limit=0'), user);
    await send('GET', api('/jobs?status=finished'), user);
    await send('GET', api('/jobs?cursor=forged.cursor'), user);
    await send('GET', api(`/jobs?session_id=${encodeURIComponent('sess_anything_at_all_000000')}`));

    const cancel = api(`/jobs/${jobId}/cancel`);
    const retry = api(`/jobs/${jobId}/retry`);
    const padded = { padding: 'x'.repeat(1024 * 1024) };
    provider.hold();
    await send('POST', generate, { ...user, body: again });
    await send('POST', cancel, { ...user, body: { file_ids: ['file_001'] } });
    provider.release();
    await send('POST', cancel, { ...user, body: {} });
    await send('POST', cancel, { ...user, body: { file_ids: ['file_009'] } });
    await send('POST', cancel, { ...user, body: { file_ids: 'file_001' } });
    await send('POST', cancel, { body: {} });
    await send('POST', api(`/jobs/${UNKNOWN_JOB}/cancel`), { ...user, body: {} });
    await send('POST', cancel, { ...user, body: padded });
    await send('POST', retry, { ...user, body: { face_limit: 'many' } });
    await send('POST', retry, { body: {} });
    await send('POST', api(`/jobs/${UNKNOWN_JOB}/retry`), { ...user, body: {} });
    await send('POST', retry, { ...user, body: padded });
    await send('POST', retry, { ...user, body: {} });
    await waitFor(completed, { what: 'the retried file to complete' });
    await send('POST', retry, { ...user, body: {} });

    // Idempotency-Key on cancel and retry: 409 while the first cancel with the key waits on the store, its replay, 422 for another body.
    let openGet = () => {};
    getGate = new Promise<void>((resolve) => (openGet = resolve));
    const readStarted = new Promise<void>((resolve) => (reachedGet = resolve));
    const heldCancel = send('POST', cancel, { ...keyed('conformance-cancel'), body: {} });
    await readStarted;
    expect((await send('POST', cancel, { ...keyed('conformance-cancel'), body: {} })).status).toBe(409);
    getGate = null;
    reachedGet = null;
    openGet();
    expect((await heldCancel).status).toBe(200);
    expect((await send('POST', cancel, { ...keyed('conformance-cancel'), body: {} })).headers['idempotent-replayed']).toBe('true');
    expect((await send('POST', cancel, { ...keyed('conformance-cancel'), body: { file_ids: ['file_001'] } })).status).toBe(422);
    expect((await send('POST', retry, { ...keyed('conformance-cancel'), body: {} })).status).toBe(422);

    // A job's webhook deliveries (none were queued here: the list is empty, the redeliver count 0).
    const webhooks = api(`/jobs/${jobId}/webhooks`);
    const redeliver = api(`/jobs/${jobId}/webhooks/redeliver`);
    const malformedJson = { headers: { ...user.headers, 'content-type': 'application/json' }, body: '{' };
    await send('GET', webhooks, user);
    await send('GET', webhooks);
    await send('GET', api(`/jobs/${UNKNOWN_JOB}/webhooks`), user);
    await send('GET', webhooks, malformedJson);
    await send('GET', webhooks, { ...user, body: padded });
    await send('POST', redeliver, { ...user, body: {} });
    await send('POST', redeliver, { body: {} });
    await send('POST', api(`/jobs/${UNKNOWN_JOB}/webhooks/redeliver`), { ...user, body: {} });
    await send('POST', redeliver, malformedJson);
    await send('POST', redeliver, { ...user, body: padded });
    // Idempotency-Key: 409 while the first redeliver with the key waits on the store, its replay, 422 for another job.
    getGate = new Promise<void>((resolve) => (openGet = resolve));
    const redeliverStarted = new Promise<void>((resolve) => (reachedGet = resolve));
    const heldRedeliver = send('POST', redeliver, { ...keyed('conformance-redeliver'), body: {} });
    await redeliverStarted;
    expect((await send('POST', redeliver, { ...keyed('conformance-redeliver'), body: {} })).status).toBe(409);
    getGate = null;
    reachedGet = null;
    openGet();
    expect((await heldRedeliver).status).toBe(200);
    expect((await send('POST', redeliver, { ...keyed('conformance-redeliver'), body: {} })).headers['idempotent-replayed']).toBe('true');
    expect((await send('POST', api(`/jobs/${UNKNOWN_JOB}/webhooks/redeliver`), { ...keyed('conformance-redeliver'), body: {} })).status).toBe(422);

    if (small) {
      // A cancelled file to retry on the full disk.
      provider.hold();
      await send('POST', generate, { ...user, body: again });
      await send('POST', cancel, { ...user, body: {} });
      provider.release();
      await small.fill(0);
      try {
        await send('POST', generate, { ...user, body: again });
        await send('POST', retry, { ...user, body: {} });
        await send('POST', api('/upload/batch'), { ...user, body: form([{ name: 'chair.png', data: photo }]) });
        await send('POST', api('/upload/multiview'), { ...user, body: viewsForm({ front: photo, left: photo }) });
      } finally {
        await small.unfill();
      }
      await send('POST', retry, { ...user, body: {} });
      await waitFor(completed, { what: 'the file to complete after the full disk' });
    }

    // GETs parse a body too: malformed JSON is a 400, one over 1 MiB a 413.
    const malformed = { headers: { ...admin.headers, 'content-type': 'application/json' }, body: '{' };
    const oversized = { ...admin, body: { padding: 'x'.repeat(1024 * 1024) } };
    for (const path of ['/admin/system-info', '/logs']) {
      await send('GET', api(path), admin);
      await send('GET', api(path), user);
      await send('GET', api(path));
      await send('GET', api(path), malformed);
      await send('GET', api(path), oversized);
    }
    await send('GET', api('/logs?level=LOUD'), admin);
    const cleanup = api('/admin/cleanup');
    await send('POST', cleanup, { ...admin, body: { older_than_hours: 1000 } });
    await send('POST', cleanup, { ...user, body: {} });
    await send('POST', cleanup, { body: {} });
    await send('POST', cleanup, { ...admin, body: { older_than_hours: -1 } });
    await send('POST', cleanup, oversized);

    // Our copy gone, the provider's still there: the one case the spec's 302 is for.
    const models = await findFiles(dataDir, '.glb');
    for (const model of models) await unlink(model);
    const redirected = await send('GET', api(`/download/${jobId}/file_001/model`), user);
    expect(redirected.status).toBe(302);

    return exchanges;
  }

  async function sendSamples(server: TestServer, expectedStatus: number) {
    const { send, exchanges } = createExchangeRecorder(server.url);
    for (const [method, path, opts] of Object.values(sampleRequests)) {
      const answer = await send(method, api(path), { ...opts, headers: { ...bearer(USER_KEY), ...opts?.headers } });
      expect(answer.status, `${method} ${path}`).toBe(expectedStatus);
    }
    return exchanges;
  }

  beforeAll(async () => {
    const small = diskUnavailable ? null : (disk as SmallDisk);
    const dataDir = small?.dir ?? (await mkdtemp(join(tmpdir(), 'i2m-conformance-')));
    const provider = new FakeModelProvider({ remoteModelUrl: 'https://cdn.example.org/tripo/model.glb' });
    const server = await startTestServer({ provider, dataDir, env: { MAX_FILE_SIZE_MB: '1' }, wrapStore: gatedStore });
    const exchanges: Exchange[] = [];
    try {
      const served = await fetch(server.api('/openapi.json'));
      document = (await served.json()) as { components?: object };
      const validator = await createResponseValidator(document);
      declared = validator.declaredStatuses;
      const photo = await makePhoto({ width: 32, height: 32 });
      sampleRequests = {
        'upload-batch': ['POST', '/upload/batch', { body: form([{ name: 'a.png', data: photo }]) }],
        'upload-multiview': ['POST', '/upload/multiview', { body: viewsForm({ front: photo, left: photo }) }],
        'status-get': ['GET', `/status/${UNKNOWN_JOB}`],
        'status-stream': ['GET', `/status/stream/${UNKNOWN_JOB}`],
        'models-generateSingle': ['POST', '/models/generate-single', { body: { job_id: UNKNOWN_JOB, file_id: 'file_001' } }],
        'jobs-list': ['GET', '/jobs'],
        'jobs-cancel': ['POST', `/jobs/${UNKNOWN_JOB}/cancel`, { body: {} }],
        'jobs-retry': ['POST', `/jobs/${UNKNOWN_JOB}/retry`, { body: {} }],
        'jobs-webhooks': ['GET', `/jobs/${UNKNOWN_JOB}/webhooks`],
        'jobs-redeliverWebhooks': ['POST', `/jobs/${UNKNOWN_JOB}/webhooks/redeliver`, { body: {} }],
        'download-model': ['GET', `/download/${UNKNOWN_JOB}/file_001/model`],
        'download-preview': ['GET', `/download/${UNKNOWN_JOB}/file_001/preview`],
        'download-photo': ['GET', `/download/${UNKNOWN_JOB}/file_001/photo`],
        'download-all': ['GET', `/download/${UNKNOWN_JOB}/all`],
        'models-printReport': ['GET', `/download/${UNKNOWN_JOB}/file_001/report`],
        'admin-systemInfo': ['GET', '/admin/system-info'],
        'admin-cleanup': ['POST', '/admin/cleanup', { body: {} }],
        'logs-get': ['GET', '/logs'],
      };
      exchanges.push(...(await exerciseEveryStatus(server, provider, dataDir, small)));
    } finally {
      provider.release();
      await server.stop();
      if (small) await small.unmount();
      else await rm(dataDir, { recursive: true, force: true });
    }

    // A spent budget: the first request uses it up, every later one is a 429.
    const limited = await startTestServer({ provider: new FakeModelProvider(), env: { RATE_LIMIT_PER_MINUTE: '1' } });
    try {
      const { send, exchanges: first } = createExchangeRecorder(limited.url);
      await send('GET', api(`/status/${UNKNOWN_JOB}`), { headers: bearer(USER_KEY) });
      exchanges.push(...first, ...(await sendSamples(limited, 429)));
    } finally {
      await limited.stop();
    }

    // The active-files limit: with one file in progress and a limit of 1, the key's next upload is a 429 of its own reason.
    const held = new FakeModelProvider();
    held.hold();
    const busy = await startTestServer({ provider: held, env: { MAX_ACTIVE_FILES_PER_KEY: '1' } });
    try {
      const { send, exchanges: refused } = createExchangeRecorder(busy.url);
      const limitPhoto = await makePhoto({ width: 32, height: 32 });
      const one = () => send('POST', api('/upload/batch'), { headers: bearer(USER_KEY), body: form([{ name: 'a.png', data: limitPhoto }]) });
      expect((await one()).status).toBe(200);
      const answer = await one();
      expect(answer.status).toBe(429);
      expect(jsonOf<{ detail: { details: { reason: string } } }>(answer).detail.details.reason).toBe('active_files');
      exchanges.push(...refused);
    } finally {
      held.release();
      await busy.stop();
    }

    // Distributed mode, Redis gone: the limiter cannot count, so every rate-limited request is a 503, and so is readiness.
    if (redisAvailable) {
      const redis = await startPrivateRedis();
      const distributed = await startTestServer({ provider: new FakeModelProvider(), env: { REDIS_URL: redis.url, REDIS_PREFIX: newPrefix() } });
      try {
        await redis.stop();
        const { send, exchanges: probes } = createExchangeRecorder(distributed.url);
        await waitFor(async () => ((await send('GET', api('/health/ready'))).status === 503 ? true : undefined), { what: 'readiness to see Redis gone' });
        await waitFor(async () => ((await send('GET', api(`/status/${UNKNOWN_JOB}`), { headers: bearer(USER_KEY) })).status === 503 ? true : undefined), {
          what: 'the limiter to see Redis gone',
        });
        exchanges.push(...probes, ...(await sendSamples(distributed, 503)));
      } finally {
        await distributed.stop();
        await redis.destroy();
      }
    }

    const validator = await createResponseValidator(document);
    for (const exchange of exchanges) verdicts.push({ exchange, verdict: validator.check(exchange) });
  });

  it('each answer has a declared status, a conformant body and content type, and the promised headers', () => {
    const violations = verdicts
      .filter(({ verdict }) => verdict.problems.length > 0)
      .map(({ exchange, verdict }) => ({ request: `${exchange.method} ${exchange.path.slice(0, 120)}`, status: exchange.status, operation: verdict.operationId, problems: verdict.problems }));
    expect(violations).toEqual([]);
    expect(verdicts.length).toBeGreaterThan(50);
  });

  it("answers each error with the status of its code (core's table)", () => {
    const mismatched = verdicts
      .filter(({ exchange }) => exchange.status >= 400 && exchange.headers['content-type']?.startsWith('application/json'))
      .map(({ exchange }) => ({ status: exchange.status, code: jsonOf<{ detail?: { code?: ErrorCode } }>(exchange).detail?.code }))
      .filter(({ status, code }) => code !== undefined && ERROR_STATUS[code] !== status);
    expect(mismatched).toEqual([]);
  });

  it('reaches every operation in the document and every status each declares', () => {
    const reached = new Set(verdicts.map(({ exchange, verdict }) => `${verdict.operationId} ${exchange.status}`));
    const missing = [...declared].flatMap(([operationId, statuses]) =>
      statuses.filter((status) => !reached.has(`${operationId} ${status}`) && unreachedReason(operationId, status) === null).map((status) => `${operationId} ${status}`),
    );
    expect(missing).toEqual([]);
    const operations = [...declared.keys()];
    expect(Object.keys(sampleRequests).sort()).toEqual(operations.filter((id) => declared.get(id)?.includes('429')).sort());
  });

  it("streams events whose data each match the document's schema: JobEvent, or Error for an `error` event", () => {
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema({ $id: 'openapi.json', components: document.components });
    const schemaOf = (name: string | null) => ajv.getSchema(`openapi.json#/components/schemas/${name === 'error' ? 'Error' : name === null ? 'JobEvent' : 'none'}`);
    const mismatches = events.flatMap((event): { event: typeof event; errors: unknown }[] => {
      const validate = schemaOf(event.name);
      if (!validate) return [{ event, errors: `no schema for event ${event.name}` }];
      return validate(event.data) ? [] : [{ event, errors: validate.errors }];
    });
    expect(mismatches).toEqual([]);
    expect(events.some((event) => (event.data as { type?: string }).type === 'done')).toBe(true);
  });
});

async function findFiles(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith(suffix)).map((entry) => join(entry.parentPath, entry.name));
}
