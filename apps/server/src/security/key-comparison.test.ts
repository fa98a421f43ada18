import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * Timing cannot be measured reliably on a loaded 2-core machine, so this checks the structure that
 * makes comparisons constant-time instead: every secret is compared through crypto.timingSafeEqual,
 * on equal-length digests, against every candidate, with no early exit. The spy wraps the real
 * function for the built @image2model/api and @image2model/core modules, across their module
 * boundary. Swapping a comparison for `===`, or returning at the first match, changes the count.
 */
const spy = vi.hoisted(() => ({ calls: [] as [Buffer, Buffer][] }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return {
    ...actual,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      spy.calls.push([Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)]);
      return actual.timingSafeEqual(a, b);
    },
  };
});

const { createApiKeyAuth } = await import('@image2model/api');
const { canRead, isOwner } = await import('@image2model/core');
type JobRecord = Parameters<typeof canRead>[0];

const ADMIN_KEYS = ['admin-key-one-0001', 'admin-key-two-0002'];
const USER_KEYS = ['user-key-one-0001', 'user-key-two-0002', 'user-key-three-0003'];
const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

beforeEach(() => {
  spy.calls.length = 0;
});

describe('API and admin keys are compared in constant time', () => {
  const auth = createApiKeyAuth({ apiKeys: USER_KEYS, adminKeys: ADMIN_KEYS });
  const known = ADMIN_KEYS.length + USER_KEYS.length;

  it.each([
    ['the first admin key', ADMIN_KEYS[0] as string, { isAdmin: true }],
    ['the last user key', USER_KEYS[2] as string, { isAdmin: false }],
    ['a wrong key', 'not-a-key-at-all', null],
    ['a key one character away from a real one', 'user-key-one-0002', null],
    ['a prefix of a real key', 'user-key-one', null],
  ])('%s: every known key is compared, each through timingSafeEqual on two sha256 digests', (_label, key, expected) => {
    const principal = auth.identify(key);
    expect(principal === null ? null : { isAdmin: principal.isAdmin }).toEqual(expected);
    if (principal) expect(principal.owner).toBe(sha256(key));
    expect(spy.calls).toHaveLength(known);
    for (const [a, b] of spy.calls) {
      expect(a.length).toBe(32);
      expect(b.length).toBe(32);
    }
    // The presented key's digest is one side of every comparison.
    const presented = createHash('sha256').update(key).digest();
    expect(spy.calls.every(([a, b]) => a.equals(presented) || b.equals(presented))).toBe(true);
  });
});

describe('job owners and session ids are compared in constant time', () => {
  const job = { owner: sha256(USER_KEYS[0] as string), session_id: `sess_${'k'.repeat(32)}` } as JobRecord;
  const wrongSession = `sess_${'j'.repeat(32)}`;

  it('the owner check goes through timingSafeEqual, right or wrong', () => {
    expect(isOwner(job, { owner: job.owner, session_id: null })).toBe(true);
    expect(isOwner(job, { owner: sha256('other'), session_id: null })).toBe(false);
    expect(spy.calls).toHaveLength(2);
  });

  it('read access compares both the owner and the session id, whichever matches', () => {
    expect(canRead(job, { owner: job.owner, session_id: wrongSession })).toBe(true);
    expect(canRead(job, { owner: sha256('other'), session_id: job.session_id })).toBe(true);
    expect(canRead(job, { owner: sha256('other'), session_id: wrongSession })).toBe(false);
    expect(spy.calls).toHaveLength(6);
  });
});
