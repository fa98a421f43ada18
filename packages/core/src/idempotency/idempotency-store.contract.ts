import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClaimOutcome, IdempotencyClaim, IdempotencyStore } from './idempotency-store.js';

export interface IdempotencyStoreHarness {
  store: IdempotencyStore;
  /** A new instance over the same records: after a restart, or another process of the deployment. */
  reopen(): Promise<IdempotencyStore>;
  /** Whether a second instance open at the same time shares the keys in flight (distributed mode's processes do). */
  sharesClaimsAcrossInstances: boolean;
  cleanup(): Promise<void>;
}

/** Opens a store whose records expire after `ttlMs`. */
export type IdempotencyStoreFactory = (opts: { ttlMs?: number }) => Promise<IdempotencyStoreHarness>;

const OWNER = 'a'.repeat(64);
const OTHER_OWNER = 'b'.repeat(64);
const ANSWER = { status: 200, body: { job_id: 'batch_20240315_123456_abcdef', files: [{ file_id: 'file_001' }] } };

function claimed(outcome: ClaimOutcome): IdempotencyClaim {
  if (outcome.kind !== 'claimed') throw new Error(`expected a claim, got ${outcome.kind}`);
  return outcome.claim;
}

/** The behaviour every IdempotencyStore adapter must have; run it against each one. */
export function describeIdempotencyStoreContract(name: string, factory: IdempotencyStoreFactory): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    let harness: IdempotencyStoreHarness;
    let store: IdempotencyStore;
    let key: string;
    const scope = () => ({ owner: OWNER, key });

    beforeEach(async () => {
      harness = await factory({});
      store = harness.store;
      key = `key-${randomBytes(6).toString('hex')}`;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('claims a new key, then replays its answer for the same fingerprint and refuses another', async () => {
      const claim = claimed(await store.claim(scope(), 'fp-1'));
      await store.complete(claim, 'fp-1', ANSWER);
      expect(await store.claim(scope(), 'fp-1')).toEqual({ kind: 'replay', answer: ANSWER });
      expect(await store.claim(scope(), 'fp-1')).toEqual({ kind: 'replay', answer: ANSWER });
      expect(await store.claim(scope(), 'fp-2')).toEqual({ kind: 'mismatch' });
    });

    it('answers in_use while a claim is held, and frees the key on release with nothing stored', async () => {
      const claim = claimed(await store.claim(scope(), 'fp-1'));
      expect(await store.claim(scope(), 'fp-1')).toEqual({ kind: 'in_use' });
      expect(await store.claim(scope(), 'fp-2')).toEqual({ kind: 'in_use' });
      await store.release(claim);
      const again = claimed(await store.claim(scope(), 'fp-2'));
      await store.complete(again, 'fp-2', ANSWER);
      expect(await store.claim(scope(), 'fp-2')).toEqual({ kind: 'replay', answer: ANSWER });
    });

    it('gives exactly one of many simultaneous claims', async () => {
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => store.claim(scope(), 'fp-1')));
      expect(outcomes.filter((o) => o.kind === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'in_use')).toHaveLength(11);
    });

    it("keeps each owner's keys apart", async () => {
      await store.complete(claimed(await store.claim(scope(), 'fp-1')), 'fp-1', ANSWER);
      expect((await store.claim({ owner: OTHER_OWNER, key }, 'fp-1')).kind).toBe('claimed');
    });

    it('stores nothing for a claim that was released before completing', async () => {
      const claim = claimed(await store.claim(scope(), 'fp-1'));
      await store.release(claim);
      const next = claimed(await store.claim(scope(), 'fp-1'));
      await store.complete(claim, 'fp-1', ANSWER); // the stale claim: ignored
      expect(await store.claim(scope(), 'fp-1')).toEqual({ kind: 'in_use' });
      await store.release(next);
      expect((await store.claim(scope(), 'fp-1')).kind).toBe('claimed');
    });

    it('keeps answers across a reopen (a restart, or another process)', async () => {
      await store.complete(claimed(await store.claim(scope(), 'fp-1')), 'fp-1', ANSWER);
      const reopened = await harness.reopen();
      expect(await reopened.claim(scope(), 'fp-1')).toEqual({ kind: 'replay', answer: ANSWER });
      expect(await reopened.claim(scope(), 'fp-9')).toEqual({ kind: 'mismatch' });
    });

    it('shares keys in flight with another instance when the mode runs several processes', async () => {
      if (!harness.sharesClaimsAcrossInstances) return;
      const other = await harness.reopen();
      const outcomes = await Promise.all([store.claim(scope(), 'fp-1'), other.claim(scope(), 'fp-1')]);
      expect(outcomes.map((o) => o.kind).sort()).toEqual(['claimed', 'in_use']);
    });

    it('forgets an answer once it expired', async () => {
      const short = await factory({ ttlMs: 150 });
      try {
        await short.store.complete(claimed(await short.store.claim(scope(), 'fp-1')), 'fp-1', ANSWER);
        expect((await short.store.claim(scope(), 'fp-1')).kind).toBe('replay');
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect((await short.store.claim(scope(), 'fp-2')).kind).toBe('claimed');
      } finally {
        await short.cleanup();
      }
    });
  });
}
