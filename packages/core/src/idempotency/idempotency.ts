import { AppError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { IdempotencyStore, IdempotentAnswer } from './idempotency-store.js';

/** One mutation's request, as far as its idempotency key is concerned. */
export interface IdempotentRequest {
  /** The API key's owner (its sha256): keys of different owners never meet. */
  owner: string;
  /** The request's `Idempotency-Key`; null runs the handler exactly as without this wrapper. */
  key: string | null;
  /** `requestFingerprint(operation, input)`: what "the same request" means for this operation. */
  fingerprint: string;
}

export interface IdempotentOutcome<T> {
  status: number;
  body: T;
  /** True when the answer is the first request's, sent again (`Idempotent-Replayed: true`). */
  replayed: boolean;
}

const isSuccess = (status: number) => status >= 200 && status < 300;

/** The one wrapper every idempotent mutation runs its handler in (REST routes and tRPC procedures alike). */
export interface Idempotency {
  /**
   * Runs `handler` at most once per (owner, key): a later request with the same key and the same
   * fingerprint gets the stored answer back, a different one 422 IDEMPOTENCY_KEY_REUSED, one that
   * arrives while the first is running 409 CONFLICT (`details.reason: "idempotency_key_in_use"`).
   * Only a 2xx answer is stored: after an error (thrown or answered) the key is free again.
   */
  run<T>(request: IdempotentRequest, handler: () => Promise<IdempotentAnswer & { body: T }>): Promise<IdempotentOutcome<T>>;
}

export function createIdempotency(deps: { store: IdempotencyStore; logger?: Logger }): Idempotency {
  const { store } = deps;
  const logger = deps.logger ?? silentLogger;
  return {
    async run(request, handler) {
      if (request.key === null) return { ...(await handler()), replayed: false };
      const outcome = await store.claim({ owner: request.owner, key: request.key }, request.fingerprint);
      switch (outcome.kind) {
        case 'replay':
          return { status: outcome.answer.status, body: outcome.answer.body as never, replayed: true };
        case 'mismatch':
          throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request: send a new key with each new request', {
            details: { header: 'Idempotency-Key' },
          });
        case 'in_use':
          throw new AppError('CONFLICT', 'A request with this Idempotency-Key is still being processed: try again once it has been answered', {
            details: { reason: 'idempotency_key_in_use' },
          });
      }
      const { claim } = outcome;
      const release = (why: string) => store.release(claim).catch((error: unknown) => logger.warn({ err: error }, `Could not release an idempotency key after ${why}`));
      let answer;
      try {
        answer = await handler();
      } catch (error) {
        await release('a failed request');
        throw error;
      }
      if (!isSuccess(answer.status)) {
        await release('an error answer');
        return { ...answer, replayed: false };
      }
      try {
        await store.complete(claim, request.fingerprint, answer);
      } catch (error) {
        // The work is done (a job exists): answering an error now would invite the retry that
        // creates a second one. The answer goes out; only a lost answer retried later is unprotected.
        logger.error({ err: error }, 'Could not store the answer of an idempotent request: a retry with its key would run it again');
        await release('a failed store');
      }
      return { ...answer, replayed: false };
    },
  };
}
