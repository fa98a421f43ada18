import { createHash } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { createIdempotency, FsIdempotencyStore, type JobService, type ModelProvider } from '@image2model/core';
import { createServiceHarness } from '@image2model/core/testing';
import { createApiKeyAuth } from '../auth.js';
import type { ApiServices, Context } from '../context.js';
import { appErrorFromTrpc } from '../errors/app-error-from-trpc.js';
import type { LogQuery } from '../routers/logs/get-logs.types.js';
import { appRouter } from '../root.js';
import { createCallerFactory } from '../trpc.js';

export const USER_KEY = 'caller-user-key';
export const OTHER_KEY = 'caller-other-key';
export const ADMIN_KEY = 'caller-admin-key';
export const PUBLIC_URL = 'https://models.example';

const createCaller = createCallerFactory(appRouter);
const auth = createApiKeyAuth({ apiKeys: [USER_KEY, OTHER_KEY], adminKeys: [ADMIN_KEY] });

/** The owner a job created with this key carries (the key's sha256, as the server stores it). */
export function ownerOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * The router behind server-side callers, over core's real job service (files in a temp data
 * directory, the in-memory queue) with a provider of the test's choosing: what the server wires,
 * minus HTTP. `callAs` builds the context a request with that Authorization header would get.
 */
export async function createCallerHarness(opts: { provider?: ModelProvider } = {}) {
  const harness = await createServiceHarness();
  const { service, events } = await harness.start(opts.provider ? { provider: opts.provider } : {});
  const logQueries: LogQuery[] = [];
  const idempotencyStore = await FsIdempotencyStore.open({ root: harness.root });
  const services: ApiServices = {
    jobs: service,
    events,
    idempotency: createIdempotency({ store: idempotencyStore }),
    readiness: async () => ({ status: 'ready', checks: { storage: 'writable', redis: 'not_configured', fal_api: 'not_configured' } }),
    systemInfo: async () => ({
      system: { platform: 'linux', cpu_count: 2, memory: { total: 1, available: 1, percent: 0 }, disk: { total: 1, used: 0, free: 1, percent: 0 } },
      jobs: await service.counts(),
      storage: { backend: 'fs', objects: 0, bytes: 0 },
    }),
    queryLogs: async (query) => {
      logQueries.push(query);
      return [{ timestamp: '2026-01-01T00:00:00.000Z', level: 'INFO', message: 'hello', correlation_id: null }];
    },
  };
  /** `key`: the Bearer key sent (null: no header; any other string: a key, known or not); `rest`: the REST request's idempotency header and replay mark. */
  function callAs(key: string | null, rest?: Context['idempotency']) {
    const ctx: Context = {
      services,
      identity: { credentialsPresent: key !== null, principal: auth.identify(key) },
      publicUrl: PUBLIC_URL,
      requestId: 'req-test',
      ...(rest ? { idempotency: rest } : {}),
    };
    return createCaller(ctx);
  }
  return {
    callAs,
    service: service as JobService,
    logQueries,
    /** A job owned by `key` with one file per name (bytes are placeholders: the provider never reads them in these tests). */
    upload: (key: string, names: string[] = ['photo.png']) => harness.upload(service, names, null, ownerOf(key)),
    async cleanup() {
      await idempotencyStore.close();
      await harness.cleanup();
    },
  };
}

/** The spec's code and status a failed call answers, as both transports derive them. */
export async function failureOf(call: Promise<unknown>): Promise<{ code: string; status: number; details: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const appError = appErrorFromTrpc(error);
    return { code: appError.code, status: appError.status, details: appError.toBody().detail.details };
  }
  throw new Error('the call succeeded');
}
