import { createTRPCUntypedClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCUntypedClient } from '@trpc/client';
import type { EventSource as FetchEventSource } from 'eventsource';
import superjson from 'superjson';
import type { ClientConfig } from './config.js';
import { errorFromResponse, errorFromTrpc, isAbortError, unexpectedResponse, type Image2ModelError } from './errors.js';
import { IDEMPOTENT_MUTATIONS, type ClientRouter } from './generated/api-types.js';
import { newIdempotencyKey, withIdempotentRetries } from './idempotent-retry.js';

/** The most calls one batch request carries: the server's default `MAX_BATCH_SIZE`. */
const MAX_BATCH_SIZE = 25;

/** Where a subscription's fetch leaves the error of an answer that was not an event stream. */
export interface HttpFailureSlot {
  error: Image2ModelError | null;
}

/** The operation-context key that carries a {@link HttpFailureSlot}. */
export const HTTP_FAILURE = 'image2model.httpFailure';

/**
 * `/trpc` with superjson: batched HTTP for queries and mutations, SSE for subscriptions. The
 * subscription's EventSource runs on our fetch, so it sends the API key, and a refused
 * connection (429, a wrong URL) is reported with its real status instead of a bare "error" event.
 */
export function createUntypedClient(config: ClientConfig): TRPCUntypedClient<ClientRouter> {
  const url = `${config.origin}/trpc`;
  return createTRPCUntypedClient<ClientRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          // The configured class, typed as the default so its options (our fetch) are checked.
          EventSource: config.EventSource as typeof FetchEventSource,
          eventSourceOptions: ({ op }) => ({
            fetch: async (input, init) => {
              const response = await config.fetch(input, { ...init, headers: { ...init?.headers, ...config.headers() } });
              const slot = op.context[HTTP_FAILURE] as HttpFailureSlot | undefined;
              if (response.status !== 200 && slot) {
                slot.error = await errorFromResponse(response, `GET /trpc/${op.path} at ${config.origin}`);
                return new Response(null, { status: response.status });
              }
              return response;
            },
          }),
        }),
        false: httpBatchLink({
          url,
          transformer: superjson,
          headers: () => config.headers(),
          maxURLLength: 4000,
          // The server's default MAX_BATCH_SIZE: a larger batch is refused whole (400).
          maxItems: MAX_BATCH_SIZE,
          // tRPC answers JSON, errors included; anything else is not the API (a wrong URL, a proxy page).
          fetch: async (input, init) => {
            const response = await config.fetch(input, init);
            const type = response.headers.get('content-type') ?? '';
            if (!type.includes('json')) {
              await response.body?.cancel().catch(() => undefined);
              throw unexpectedResponse(response.status, type, `${init?.method ?? 'GET'} /trpc at ${config.origin}`, response.headers.get('x-request-id'));
            }
            return response;
          },
        }),
      }),
    ],
  });
}

/** Aborts reject with the abort; every other failure becomes an Image2ModelError. */
export function mapCallError(error: unknown, config: ClientConfig): unknown {
  if (isAbortError(error)) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (isAbortError(cause)) return cause;
  return errorFromTrpc(error, config.origin);
}

interface SubscribeCallbacks {
  onError?: (error: unknown) => void;
  [key: string]: unknown;
}

const IDEMPOTENT: ReadonlySet<string> = new Set(IDEMPOTENT_MUTATIONS);

/**
 * A mutation that takes `idempotency_key`, sent with the caller's key or a fresh one, and retried
 * with that same key after a network error or a 5xx: a retry never runs it twice on the server.
 */
function mutateIdempotently(untyped: TRPCUntypedClient<ClientRouter>, config: ClientConfig, procedure: string, input: unknown, opts: Record<string, unknown> | undefined): Promise<unknown> {
  const given = (input ?? {}) as { idempotency_key?: string };
  const keyed = { ...given, idempotency_key: given.idempotency_key ?? newIdempotencyKey() };
  const signal = opts?.signal as AbortSignal | undefined;
  return withIdempotentRetries(config, signal, () =>
    untyped.mutation(procedure, keyed, opts).catch((error: unknown) => {
      throw mapCallError(error, config);
    }),
  );
}

const OBSERVER_KEYS = ['onStarted', 'onData', 'onError', 'onStopped', 'onComplete', 'onConnectionStateChange'];

function callProcedure(untyped: TRPCUntypedClient<ClientRouter>, config: ClientConfig, path: readonly string[], args: unknown[]): unknown {
  const method = path.at(-1);
  const procedure = path.slice(0, -1).join('.');
  const [input, opts] = args as [unknown, Record<string, unknown> | undefined];
  const rethrow = (error: unknown): never => {
    throw mapCallError(error, config);
  };
  switch (method) {
    case 'query':
      return untyped.query(procedure, input, opts).catch(rethrow);
    case 'mutate':
      if (IDEMPOTENT.has(procedure)) return mutateIdempotently(untyped, config, procedure, input, opts);
      return untyped.mutation(procedure, input, opts).catch(rethrow);
    case 'subscribe': {
      const callbacks = (opts ?? {}) as SubscribeCallbacks;
      if (OBSERVER_KEYS.some((key) => typeof callbacks[key] === 'function')) {
        return untyped.subscription(procedure, input, { ...callbacks, onError: (error: unknown) => callbacks.onError?.(mapCallError(error, config)) } as never);
      }
      const iterable = untyped.subscription(procedure, input, (opts ?? {}) as never) as unknown as AsyncIterable<unknown>;
      return (async function* mapSubscriptionErrors() {
        try {
          yield* iterable;
        } catch (error) {
          rethrow(error);
        }
      })();
    }
    default:
      throw new TypeError(`${path.join('.')} is not a function: call .query(), .mutate() or .subscribe() on a procedure`);
  }
}

/** The shape of tRPC's typed proxy, over our error mapping: `proxy.status.get.query(input)`. */
export function createProcedureProxy(untyped: TRPCUntypedClient<ClientRouter>, config: ClientConfig, path: readonly string[] = []): unknown {
  return new Proxy(function procedure() {}, {
    get(_target, key) {
      if (typeof key !== 'string' || key === 'then') return undefined;
      return createProcedureProxy(untyped, config, [...path, key]);
    },
    apply(_target, _this, args: unknown[]) {
      return callProcedure(untyped, config, path, args);
    },
  });
}
