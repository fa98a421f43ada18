import type { FalClient } from '@fal-ai/client';
import { isAppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CancelOutcome } from '../model-provider.js';
import { classifyFalError } from './fal-errors.js';
import { withFalRetry, type ResolvedRetry } from './fal-retry.js';
import { FalHttpError } from './fal-transport.js';
import { TRIPO_ENDPOINT } from './tripo-input.js';

export interface FalCancelContext {
  client: FalClient;
  retry: ResolvedRetry;
  signal: AbortSignal;
  logger: Logger;
}

/**
 * Cancels one FAL queue request and says what that did. FAL answers a cancel the same way whether
 * the request was queued (removed, never run, not billed) or running (sent a cancel signal; it may
 * still complete and be billed), and `queue.cancel` returns nothing, so the request's status is read
 * first to tell the two apart. A request that starts in the moment between the two calls is
 * reported as removed; FAL then treats the cancel as one of a running request.
 */
export async function cancelFalRequest(requestId: string, ctx: FalCancelContext): Promise<CancelOutcome> {
  const what = `FAL request ${requestId}`;
  let status: string;
  try {
    const answer = await withFalRetry(() => ctx.client.queue.status(TRIPO_ENDPOINT, { requestId, logs: false, abortSignal: ctx.signal }), {
      what: `reading the status of ${what} before cancelling it`,
      policy: ctx.retry,
      signal: ctx.signal,
      requestId,
    });
    status = answer.status;
  } catch (error) {
    return failed(what, error, ctx);
  }
  if (status === 'COMPLETED') return alreadyFinished(what);
  try {
    await withFalRetry(() => ctx.client.queue.cancel(TRIPO_ENDPOINT, { requestId, abortSignal: ctx.signal }), {
      what: `cancelling ${what}`,
      policy: ctx.retry,
      signal: ctx.signal,
      requestId,
    });
  } catch (error) {
    // It finished between the status read and the cancel.
    if (falBodyStatus(error) === 'ALREADY_COMPLETED') return alreadyFinished(what);
    return failed(what, error, ctx);
  }
  if (status === 'IN_QUEUE') {
    return { state: 'removed_from_queue', may_be_billed: false, message: `${what} was still queued and was removed: it will not run and will not be billed` };
  }
  return {
    state: 'cancel_requested',
    may_be_billed: true,
    message: `${what} was running; FAL was asked to stop it, and it may still be billed (its result, if one still arrives, is not used)`,
  };
}

function alreadyFinished(what: string): CancelOutcome {
  return { state: 'already_finished', may_be_billed: true, message: `${what} had already finished, so there was nothing to stop: it is billed as a finished request` };
}

/** Any failure: FAL may still run the request, and the log says why we could not stop it. */
function failed(what: string, error: unknown, ctx: FalCancelContext): CancelOutcome {
  ctx.logger.warn({ err: error }, `Cancelling ${what} failed`);
  if (ctx.signal.aborted) {
    return { state: 'unknown', may_be_billed: true, message: `The cancel of ${what} was given up before FAL answered: it may still run and be billed` };
  }
  if (falStatus(error) === 404) {
    return { state: 'unknown', may_be_billed: true, message: `FAL does not know ${what} (HTTP 404), so it could not be cancelled: if it ran, it may be billed` };
  }
  return { state: 'unknown', may_be_billed: true, message: `${what} could not be cancelled (${reasonOf(error)}): it may still run and be billed` };
}

/** The FalHttpError behind a failure: thrown as is, or the cause of the AppError our retry ends with. */
function falHttpError(error: unknown): FalHttpError | null {
  if (error instanceof FalHttpError) return error;
  const cause = isAppError(error) ? error.opts.cause : undefined;
  return cause instanceof FalHttpError ? cause : null;
}

function falStatus(error: unknown): number | null {
  return falHttpError(error)?.status ?? null;
}

/** FAL's cancel answers carry `{status: "ALREADY_COMPLETED" | "NOT_FOUND" | …}`. */
function falBodyStatus(error: unknown): string | null {
  const body = falHttpError(error)?.body as { status?: unknown } | null | undefined;
  return typeof body?.status === 'string' ? body.status : null;
}

function reasonOf(error: unknown): string {
  const cause = isAppError(error) ? (error.opts.cause ?? error) : error;
  return classifyFalError(cause).reason;
}
