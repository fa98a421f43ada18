import { requestFingerprint } from '@image2model/core';
import type { Principal } from './auth.js';
import type { Context } from './context.js';
import { readIdempotencyKeyHeader, resolveIdempotencyKey } from './idempotency-key.js';

/** What an idempotent procedure's resolver is called with: an API key's caller, its input (with the optional key), its path. */
interface IdempotentCall {
  ctx: Context & { principal: Principal };
  input: { idempotency_key?: string | undefined };
  path: string;
}

/**
 * Wraps a mutation's resolver so that it runs at most once per `Idempotency-Key` (the REST header
 * or the `idempotency_key` input field): `.mutation(idempotent(({ ctx, input }) => …))` on an
 * `apiKeyProcedure` whose input spreads `IdempotencyKeyField`. "The same request" is the same
 * procedure with the same input (the key aside); a replay marks the REST answer with
 * `Idempotent-Replayed: true`.
 */
export function idempotent<TCall extends IdempotentCall, TOutput>(resolver: (call: TCall) => TOutput | Promise<TOutput>): (call: TCall) => Promise<TOutput> {
  return async function runIdempotently(call) {
    const { idempotency_key, ...input } = call.input;
    const key = resolveIdempotencyKey(readIdempotencyKeyHeader(call.ctx.idempotency?.header), idempotency_key);
    const request = { owner: call.ctx.principal.owner, key, fingerprint: requestFingerprint(call.path, input) };
    const outcome = await call.ctx.services.idempotency.run(request, async () => ({ status: 200, body: await resolver(call) }));
    if (outcome.replayed) call.ctx.idempotency?.markReplayed();
    return outcome.body;
  };
}
