import { readdir } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStore } from '@image2model/core';
import { startTestServer, OTHER_USER_KEY, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus, type UploadPart } from '@image2model/testing/http';

/** A job store whose `create` waits for the gate: the first upload holds its key while a duplicate arrives. */
function gatedStore() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let reached!: () => void;
  const creating = new Promise<void>((resolve) => (reached = resolve));
  const wrap = (store: JobStore): JobStore =>
    Object.assign(Object.create(store) as JobStore, {
      async create(...args: Parameters<JobStore['create']>) {
        reached();
        await gate;
        return store.create(...args);
      },
    });
  return { wrap, open, creating };
}

describe('Idempotency-Key, embedded mode', () => {
  let server: TestServer | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  const upload = (files: UploadPart[], key: string | null, fields: Record<string, string> = {}, apiKey = USER_KEY) =>
    uploadBatch(server!.api('/upload/batch'), { key: apiKey, files, fields, ...(key === null ? {} : { headers: { 'Idempotency-Key': key } }) });
  const jobCount = async () => Object.values(await server!.runtime.store.counts()).reduce((sum, n) => sum + n, 0);
  const uploadTemps = async () => readdir(join(server!.dataDir, 'tmp', 'uploads'));

  it('creates one job for one key: the same upload again gets the first status and body back, marked Idempotent-Replayed', async () => {
    server = await startTestServer();
    const files = [
      { name: 'a.png', data: await makePhoto({ colour: '#c04020' }) },
      { name: 'b.png', data: await makePhoto({ colour: '#2040c0' }) },
    ];
    const first = await upload(files, 'upload-key-1', { face_limit: '5000' });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const body = await first.json();
    for (let i = 0; i < 2; i++) {
      const again = await upload(files, 'upload-key-1', { face_limit: '5000' });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await again.json()).toEqual(body);
    }
    expect(await jobCount()).toBe(1);
    expect(await uploadTemps()).toEqual([]);
    // Without a key, as before: every upload is a new job.
    expect((await upload(files, null)).status).toBe(200);
    expect((await upload(files, null)).status).toBe(200);
    expect(await jobCount()).toBe(3);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED to a different upload under a used key: other bytes, names, order or fields', async () => {
    server = await startTestServer();
    const a = { name: 'a.png', data: await makePhoto({ colour: '#c04020' }) };
    const b = { name: 'b.png', data: await makePhoto({ colour: '#2040c0' }) };
    expect((await upload([a, b], 'upload-key-2')).status).toBe(200);
    const changed: [UploadPart[], Record<string, string>][] = [
      [[a, { ...b, data: await makePhoto({ colour: '#20c040' }) }], {}],
      [[a, { ...b, name: 'c.png' }], {}],
      [[b, a], {}],
      [[a, b], { face_limit: '5000' }],
      [[a, b], { webhook_url: 'https://93.184.216.34/hook' }],
      [[a], {}],
    ];
    for (const [files, fields] of changed) {
      const res = await upload(files, 'upload-key-2', fields);
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({ detail: { code: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringContaining('Idempotency-Key'), details: { header: 'Idempotency-Key' } } });
    }
    expect(await jobCount()).toBe(1);
    expect(await uploadTemps()).toEqual([]);
    // Another API key's owner has keys of its own.
    expect((await upload([a], 'upload-key-2', {}, OTHER_USER_KEY)).status).toBe(200);
  });

  it('answers 409 idempotency_key_in_use to a duplicate that arrives while the first is processed, then replays: one job', async () => {
    const gated = gatedStore();
    server = await startTestServer({ wrapStore: gated.wrap });
    const files = [{ name: 'a.png', data: await makePhoto() }];
    const first = upload(files, 'upload-key-3');
    await gated.creating;
    const concurrent = await Promise.all([upload(files, 'upload-key-3'), upload(files, 'upload-key-3')]);
    for (const res of concurrent) {
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual({ detail: { code: 'CONFLICT', message: expect.any(String), details: { reason: 'idempotency_key_in_use' } } });
    }
    gated.open();
    const answered = await first;
    expect(answered.status).toBe(200);
    const { job_id } = (await answered.json()) as { job_id: string };
    const replay = await upload(files, 'upload-key-3');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as { job_id: string }).job_id).toBe(job_id);
    expect(await jobCount()).toBe(1);
    expect(await uploadTemps()).toEqual([]);
  });

  it('stores no error: after a refused upload the same key runs the next one', async () => {
    server = await startTestServer();
    const notAnImage = await upload([{ name: 'a.png', data: Buffer.from('not an image at all') }], 'upload-key-4');
    expect(notAnImage.status).toBe(400);
    const fixed = await upload([{ name: 'a.png', data: await makePhoto() }], 'upload-key-4');
    expect(fixed.status).toBe(200);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
    expect(await jobCount()).toBe(1);
  });

  it('refuses a malformed key with 400 before reading the body, and counts a replay against the rate limit', async () => {
    server = await startTestServer();
    const files = [{ name: 'a.png', data: await makePhoto() }];
    for (const key of ['x'.repeat(256), 'tab\there']) {
      const res = await upload(files, key);
      expect(res.status, key).toBe(400);
      expect(await res.json()).toMatchObject({ detail: { code: 'VALIDATION_ERROR', details: { field: 'Idempotency-Key' } } });
    }
    const first = await upload(files, 'upload-key-5');
    const replay = await upload(files, 'upload-key-5');
    expect(Number(replay.headers.get('x-ratelimit-remaining'))).toBe(Number(first.headers.get('x-ratelimit-remaining')) - 1);
    expect(await jobCount()).toBe(1);
  });

  it('keeps the answer across a restart (a record under DATA_DIR, named by a hash)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'i2m-idem-restart-'));
    dirs.push(dataDir);
    const files = [{ name: 'a.png', data: await makePhoto() }];
    server = await startTestServer({ dataDir });
    const body = await (await upload(files, 'upload-key-6')).json();
    await server.stop();
    server = await startTestServer({ dataDir });
    const replay = await upload(files, 'upload-key-6');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(body);
    expect(await jobCount()).toBe(1);
    expect(await readdir(join(dataDir, 'idempotency'))).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.json$/)]);
  });

  describe('generate-single', () => {
    async function finishedJob() {
      const res = await uploadBatch(server!.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }] });
      const { job_id } = (await res.json()) as { job_id: string };
      await waitForJobStatus(server!.api(`/status/${job_id}`), USER_KEY);
      return job_id;
    }
    const generate = (body: unknown, key?: string) =>
      fetch(server!.api('/models/generate-single'), {
        method: 'POST',
        headers: { ...auth(USER_KEY), 'Content-Type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}) },
        body: JSON.stringify(body),
      });
    const trpcGenerate = (input: unknown) =>
      fetch(`${server!.url}/trpc/models.generateSingle`, { method: 'POST', headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' }, body: JSON.stringify({ json: input }) });

    it('over REST: queues once per key, replays with Idempotent-Replayed, 422 on a changed body', async () => {
      server = await startTestServer();
      const job_id = await finishedJob();
      const first = await generate({ job_id, file_id: 'file_001', face_limit: 2000 }, 'regen-key-1');
      expect(first.status).toBe(200);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const body = await first.json();
      const replay = await generate({ job_id, file_id: 'file_001', face_limit: 2000 }, 'regen-key-1');
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.json()).toEqual(body);
      const changed = await generate({ job_id, file_id: 'file_001', face_limit: 3000 }, 'regen-key-1');
      expect(changed.status).toBe(422);
      expect(await changed.json()).toMatchObject({ detail: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    });

    it('over /trpc: idempotency_key in the input means the same, and a REST replay of it too', async () => {
      server = await startTestServer();
      const job_id = await finishedJob();
      const input = { job_id, file_id: 'file_001', idempotency_key: 'regen-key-2' };
      const first = await trpcGenerate(input);
      expect(first.status).toBe(200);
      const answer = ((await first.json()) as { result: { data: { json: { model_task_id: string } } } }).result.data.json;
      const again = await trpcGenerate(input);
      expect(((await again.json()) as { result: { data: { json: unknown } } }).result.data.json).toEqual(answer);
      const overRest = await generate({ job_id, file_id: 'file_001' }, 'regen-key-2');
      expect(overRest.headers.get('idempotent-replayed')).toBe('true');
      expect(await overRest.json()).toEqual(answer);
      const reused = await trpcGenerate({ ...input, face_limit: 3000 });
      expect(reused.status).toBe(422);
      expect(await reused.json()).toMatchObject({ error: { json: { data: { appCode: 'IDEMPOTENCY_KEY_REUSED', httpStatus: 422 } } } });
    });
  });
});
