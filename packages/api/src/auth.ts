import { hash, timingSafeEqual } from 'node:crypto';

/** Who a valid API key belongs to. `owner` is the key's sha256: jobs store it, never the key. */
export interface Principal {
  owner: string;
  isAdmin: boolean;
}

export interface ApiKeyAuth {
  /** null for a missing or unknown key. */
  identify(key: string | null): Principal | null;
}

/**
 * Keys are compared as sha256 digests (equal lengths) with timingSafeEqual, against every known
 * key without an early exit, so the time taken says nothing about which key came close.
 * Admin keys are also user keys.
 */
export function createApiKeyAuth(opts: { apiKeys: readonly string[]; adminKeys: readonly string[] }): ApiKeyAuth {
  const entries = [
    ...opts.adminKeys.map((key) => ({ digest: digestOf(key), isAdmin: true })),
    ...opts.apiKeys.map((key) => ({ digest: digestOf(key), isAdmin: false })),
  ];
  return {
    identify(key) {
      if (key === null || key.length === 0) return null;
      const owner = sha256Hex(key);
      const digest = Buffer.from(owner, 'hex');
      let match: { isAdmin: boolean } | null = null;
      for (const entry of entries) {
        if (timingSafeEqual(entry.digest, digest) && match === null) match = entry;
      }
      return match ? { owner, isAdmin: match.isAdmin } : null;
    },
  };
}

/**
 * One-shot: every request with a key hashes it, and createHash builds a Hash object (a stream with
 * its own native handle) per call, about three times the cost of `hash` for a key this short.
 */
function sha256Hex(key: string): string {
  return hash('sha256', key, 'hex');
}

function digestOf(key: string): Buffer {
  return Buffer.from(sha256Hex(key), 'hex');
}

/** The key from `Authorization: Bearer <key>`; a present but malformed header counts as a wrong key. */
export function readBearer(header: string | undefined): { present: boolean; key: string | null } {
  if (header === undefined || header === '') return { present: false, key: null };
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return { present: true, key: match?.[1] ?? null };
}
