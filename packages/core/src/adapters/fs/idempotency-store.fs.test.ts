import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeIdempotencyStoreContract } from '../../idempotency/idempotency-store.contract.js';
import { FsIdempotencyStore } from './idempotency-store.fs.js';

const tempRoot = () => mkdtemp(path.join(os.tmpdir(), 'i2m-idem-'));

describeIdempotencyStoreContract('FsIdempotencyStore', async ({ ttlMs }) => {
  const root = await tempRoot();
  const opened: FsIdempotencyStore[] = [await FsIdempotencyStore.open({ root, ...(ttlMs ? { ttlMs } : {}) })];
  return {
    store: opened[0] as FsIdempotencyStore,
    async reopen() {
      const store = await FsIdempotencyStore.open({ root, ...(ttlMs ? { ttlMs } : {}) });
      opened.push(store);
      return store;
    },
    // One process serves embedded mode: its keys in flight live in that process.
    sharesClaimsAcrossInstances: false,
    async cleanup() {
      await Promise.all(opened.map((store) => store.close()));
      await rm(root, { recursive: true, force: true });
    },
  };
});

describe('FsIdempotencyStore on disk', () => {
  const roots: string[] = [];
  afterEach(async () => {
    await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
  });

  it('writes one file per answer, named by a hash (never by the key sent), and removes expired ones when it opens', async () => {
    const root = await tempRoot();
    roots.push(root);
    const store = await FsIdempotencyStore.open({ root });
    const outcome = await store.claim({ owner: 'o'.repeat(64), key: '../../etc/passwd' }, 'fp');
    if (outcome.kind !== 'claimed') throw new Error(outcome.kind);
    await store.complete(outcome.claim, 'fp', { status: 200, body: { ok: true } });
    const dir = path.join(root, 'idempotency');
    const names = await readdir(dir);
    expect(names).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.json$/)]);
    await store.close();

    const dayAndAMinuteAgo = new Date(Date.now() - 24 * 60 * 60 * 1000 - 60_000);
    await utimes(path.join(dir, names[0] as string), dayAndAMinuteAgo, dayAndAMinuteAgo);
    const reopened = await FsIdempotencyStore.open({ root });
    expect(await readdir(dir)).toEqual([]);
    await reopened.close();
  });
});
