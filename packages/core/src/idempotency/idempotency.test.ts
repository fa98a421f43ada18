import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { FsIdempotencyStore } from '../adapters/fs/idempotency-store.fs.js';
import { createIdempotency, type Idempotency } from './idempotency.js';

describe('Idempotency.run', () => {
  let root: string;
  let store: FsIdempotencyStore;
  let idempotency: Idempotency;
  let runs: number;
  const owner = 'o'.repeat(64);
  const created = async () => ({ status: 200, body: { job_id: `job-${++runs}` } });

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'i2m-run-idem-'));
    store = await FsIdempotencyStore.open({ root });
    idempotency = createIdempotency({ store });
    runs = 0;
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('runs the handler every time without a key', async () => {
    const request = { owner, key: null, fingerprint: 'fp' };
    expect(await idempotency.run(request, created)).toEqual({ status: 200, body: { job_id: 'job-1' }, replayed: false });
    expect(await idempotency.run(request, created)).toEqual({ status: 200, body: { job_id: 'job-2' }, replayed: false });
  });

  it('runs once per key, replays the first answer, and refuses a different request with 422', async () => {
    const request = { owner, key: 'k1', fingerprint: 'fp' };
    expect(await idempotency.run(request, created)).toEqual({ status: 200, body: { job_id: 'job-1' }, replayed: false });
    expect(await idempotency.run(request, created)).toEqual({ status: 200, body: { job_id: 'job-1' }, replayed: true });
    const reused = await idempotency.run({ ...request, fingerprint: 'other' }, created).catch((error: unknown) => error);
    expect(reused).toBeInstanceOf(AppError);
    expect((reused as AppError).toBody()).toMatchObject({ detail: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect((reused as AppError).status).toBe(422);
    expect(runs).toBe(1);
  });

  it('answers 409 idempotency_key_in_use to a duplicate while the first is running', async () => {
    let finish!: () => void;
    const slow = () => new Promise<{ status: number; body: { job_id: string } }>((resolve) => (finish = () => resolve({ status: 200, body: { job_id: 'slow' } })));
    const request = { owner, key: 'k2', fingerprint: 'fp' };
    const first = idempotency.run(request, slow);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const duplicate = (await idempotency.run(request, created).catch((error: unknown) => error)) as AppError;
    expect(duplicate.status).toBe(409);
    expect(duplicate.toBody().detail).toMatchObject({ code: 'CONFLICT', details: { reason: 'idempotency_key_in_use' } });
    finish();
    expect((await first).body).toEqual({ job_id: 'slow' });
    expect((await idempotency.run(request, created)).replayed).toBe(true);
  });

  it('stores nothing after an error, thrown or answered: the same key runs again', async () => {
    const request = { owner, key: 'k3', fingerprint: 'fp' };
    await expect(idempotency.run(request, () => Promise.reject(new AppError('SERVICE_UNAVAILABLE', 'queue down')))).rejects.toThrow('queue down');
    expect(await idempotency.run(request, async () => ({ status: 503, body: { detail: 'x' } }))).toMatchObject({ status: 503, replayed: false });
    expect(await idempotency.run(request, created)).toEqual({ status: 200, body: { job_id: 'job-1' }, replayed: false });
  });
});
