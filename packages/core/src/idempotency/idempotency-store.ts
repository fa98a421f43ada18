import { hash } from 'node:crypto';

/** How long a stored answer is replayed: 24 hours from the first request's answer. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The longest a claim on a key may stay in flight where other processes can see it (Redis): a
 * process that dies mid-request frees its keys after this. Longer than any mutation's own work
 * (an upload's bytes have all arrived before its key is claimed).
 */
export const IDEMPOTENCY_LEASE_MS = 10 * 60 * 1000;

/** One request's key: the API key's owner (its sha256) and the `Idempotency-Key` it sent. */
export interface IdempotencyScope {
  owner: string;
  key: string;
}

/** The answer a key replays: only successful (2xx) answers are ever stored. */
export interface IdempotentAnswer {
  status: number;
  body: unknown;
}

/** A caller's hold on a key while its request runs; `complete` or `release` ends it. */
export interface IdempotencyClaim {
  readonly id: string;
  readonly token: string;
}

export type ClaimOutcome =
  /** Nobody had the key: run the request, then `complete` (2xx) or `release` (anything else). */
  | { kind: 'claimed'; claim: IdempotencyClaim }
  /** The same request was answered before: send this again, create nothing. */
  | { kind: 'replay'; answer: IdempotentAnswer }
  /** The key was used for a different request. */
  | { kind: 'mismatch' }
  /** A request with this key is still being processed. */
  | { kind: 'in_use' };

/**
 * Where idempotency keys live: on disk in embedded mode (`FsIdempotencyStore`), in Redis in
 * distributed mode (`RedisIdempotencyStore`), so that processes sharing a deployment agree on
 * which request holds a key. The contract suite (`idempotency-store.contract.ts`) runs against both.
 */
export interface IdempotencyStore {
  /**
   * Atomically: the answer stored under the key (if the fingerprint matches, else `mismatch`),
   * `in_use` while another request holds it, or a claim for this caller.
   */
  claim(scope: IdempotencyScope, fingerprint: string): Promise<ClaimOutcome>;
  /** Stores the answer durably for the TTL, and ends the claim. A claim that was released stores nothing. */
  complete(claim: IdempotencyClaim, fingerprint: string, answer: IdempotentAnswer): Promise<void>;
  /** Ends the claim with nothing stored: the key may be used again at once. */
  release(claim: IdempotencyClaim): Promise<void>;
  close(): Promise<void>;
}

/**
 * A record's name: a hash of the owner and the key, so neither reaches a file path or a Redis key
 * as it was sent, and keys of different owners never meet.
 */
export function idempotencyRecordId(scope: IdempotencyScope): string {
  return hash('sha256', `${scope.owner}\n${scope.key}`, 'hex');
}
