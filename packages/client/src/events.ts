import type { TRPCUntypedClient } from '@trpc/client';
import type { ClientConfig } from './config.js';
import { Image2ModelError, networkError } from './errors.js';
import { sleep } from './http.js';
import { HTTP_FAILURE, mapCallError, type HttpFailureSlot } from './trpc.js';
import type { ClientRouter } from './generated/api-types.js';
import type { JobDoneEvent, JobEvent, TrackedJobEvent } from './types.js';

export interface EventsOptions {
  /** Resume after this event id (from a previous `TrackedJobEvent.id`) instead of replaying everything. */
  lastEventId?: string | null | undefined;
  /** Read access without the API key: the job's `session_id`. */
  sessionId?: string | undefined;
  /** Stops the stream; the iterator then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

export interface WatchOptions extends EventsOptions {
  /** Called for every event, in order; a promise it returns is awaited before the next event. */
  onEvent?: ((event: TrackedJobEvent) => void | Promise<void>) | undefined;
}

/** What the event functions need from the client. */
export interface ClientParts {
  untyped: TRPCUntypedClient<ClientRouter>;
  config: ClientConfig;
}

type Item =
  | { kind: 'event'; event: TrackedJobEvent }
  | { kind: 'end' }
  | { kind: 'error'; error: Image2ModelError; transient: boolean };

/** Answers worth reconnecting for: nothing answered, or a gateway or restart in between. */
const TRANSIENT_STATUS = new Set([0, 502, 503, 504]);

/** One subscription, its callbacks turned into a queue the generator can await. */
function openAttempt({ untyped, config }: ClientParts, input: { job_id: string; session_id?: string; lastEventId: string | null }) {
  const items: Item[] = [];
  let wake: (() => void) | null = null;
  const push = (item: Item) => {
    items.push(item);
    wake?.();
  };
  const slot: HttpFailureSlot = { error: null };
  const failed = (error: unknown): Item => {
    const mapped = slot.error ?? (mapCallError(error, config) as Image2ModelError);
    return { kind: 'error', error: mapped, transient: TRANSIENT_STATUS.has(mapped.status) };
  };
  const subscription: { unsubscribe(): void } = untyped.subscription('status.onEvents', input, {
    context: { [HTTP_FAILURE]: slot },
    onData(tracked: unknown) {
      const { id, data } = tracked as { id: string; data: JobEvent };
      push({ kind: 'event', event: { ...data, id } });
    },
    onError: (error: unknown) => push(failed(error)),
    onComplete: () => push({ kind: 'end' }),
    onConnectionStateChange(state: { state: string; error: unknown }) {
      // The EventSource lost its connection and would retry on its own schedule: we take over, to
      // resume from our own last id with backoff and a limit.
      if (state.state === 'connecting' && state.error) push(failed(state.error));
    },
  } as never);

  return {
    async next(signal: AbortSignal | undefined): Promise<Item> {
      for (;;) {
        signal?.throwIfAborted();
        const item = items.shift();
        if (item) return item;
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(signal?.reason);
          wake = () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          };
          signal?.addEventListener('abort', onAbort, { once: true });
        });
        wake = null;
      }
    },
    close: () => subscription.unsubscribe(),
  };
}

function backoff(config: ClientConfig, failures: number): number {
  return Math.min(config.reconnect.maxDelayMs, config.reconnect.minDelayMs * 2 ** (failures - 1));
}

/**
 * The job's events in order, ending after `done`. A dropped connection is resumed from the last
 * event received (the server replays what was missed, never twice), with backoff; after
 * `reconnect.retries` failed attempts in a row it throws `NETWORK_ERROR`.
 */
export async function* reconnectingEvents(parts: ClientParts, jobId: string, options: EventsOptions = {}): AsyncGenerator<TrackedJobEvent, void, undefined> {
  const { config } = parts;
  const { signal } = options;
  let lastEventId = options.lastEventId ?? null;
  let failures = 0;
  for (;;) {
    signal?.throwIfAborted();
    const attempt = openAttempt(parts, { job_id: jobId, ...(options.sessionId ? { session_id: options.sessionId } : {}), lastEventId });
    let reason: Image2ModelError;
    try {
      for (;;) {
        const item = await attempt.next(signal);
        if (item.kind === 'event') {
          failures = 0;
          lastEventId = item.event.id;
          yield item.event;
          if (item.event.type === 'done') return;
          continue;
        }
        if (item.kind === 'error' && !item.transient) throw item.error;
        reason = item.kind === 'error' ? item.error : networkError(new Error('the event stream ended before the job was done'), config.origin);
        break;
      }
    } finally {
      attempt.close();
    }
    failures += 1;
    if (failures > config.reconnect.retries) {
      throw new Image2ModelError({
        code: reason.code,
        status: reason.status,
        message: `${reason.message}; gave up on the event stream of ${jobId} after ${config.reconnect.retries} reconnection attempts`,
        details: { ...reason.details, job_id: jobId, last_event_id: lastEventId },
        requestId: reason.requestId,
        cause: reason,
      });
    }
    await sleep(backoff(config, failures), signal);
  }
}

/** Runs `onEvent` for every event and resolves with the final `done` event. */
export async function watchJob(parts: ClientParts, jobId: string, options: WatchOptions = {}): Promise<JobDoneEvent> {
  for await (const event of reconnectingEvents(parts, jobId, options)) {
    await options.onEvent?.(event);
    if (event.type === 'done') return event;
  }
  throw networkError(new Error('the event stream ended before the job was done'), parts.config.origin);
}
