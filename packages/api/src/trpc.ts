import { initTRPC, TRPCError } from '@trpc/server';
import { AppError } from '@image2model/core';
import type { OpenApiMeta } from 'trpc-to-openapi';
import superjson from 'superjson';
import { appErrorFromTrpc } from './errors/app-error-from-trpc.js';
import { TRPC_CODE } from './errors/trpc-codes.js';
import type { Context } from './context.js';
import type { Principal } from './auth.js';

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    transformer: superjson,
    sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 30_000 } },
    errorFormatter({ shape, error }) {
      // The same AppError the REST body shows, so both transports report the same code and message.
      const appError = appErrorFromTrpc(error);
      return {
        ...shape,
        message: appError.toBody().detail.message,
        // The typed client builds its error from these: the spec's code, the HTTP status, details.
        data: {
          code: shape.data.code,
          httpStatus: appError.status,
          path: shape.data.path,
          appCode: appError.code,
          details: appError.toBody().detail.details,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** The TRPCError with an AppError's own code (tRPC's code, its logs and the client agree); anything else as it is. */
function asTrpcError(error: unknown): unknown {
  return error instanceof AppError ? new TRPCError({ code: TRPC_CODE[error.code], message: error.message, cause: error }) : error;
}

/** next() never throws in v11: it returns { ok: false, error }, so an AppError from below is re-thrown with its code. */
function rethrowAppError<R extends { ok: boolean }>(result: R): R {
  const cause = result.ok ? undefined : (result as { error?: TRPCError }).error?.cause;
  if (cause instanceof AppError) throw asTrpcError(cause);
  return result;
}

// Each procedure has one middleware of ours, which checks its access rule (if any) and maps
// AppErrors: every tRPC middleware hop copies the call's options (about 5 µs a hop), and the
// status poll is the hottest path there is. A rule's own AppError is thrown already mapped: tRPC
// would wrap a bare one as INTERNAL_SERVER_ERROR.

export const publicProcedure = t.procedure.use(async function mapAppErrors({ next }) {
  return rethrowAppError(await next());
});

/** A wrong Authorization header is 401 everywhere, even beside a valid session_id. */
function rejectWrongCredentials(ctx: Context): void {
  if (ctx.identity.credentialsPresent && ctx.identity.principal === null) {
    throw asTrpcError(new AppError('AUTHENTICATION_REQUIRED', 'Invalid API key: send Authorization: Bearer <key> with a configured key'));
  }
}

const MISSING_KEY = 'Missing API key: send Authorization: Bearer <key>';

/** The caller's principal; without a valid key, AUTHENTICATION_REQUIRED. */
function requirePrincipal(ctx: Context): Principal {
  rejectWrongCredentials(ctx);
  const principal = ctx.identity.principal;
  if (principal === null) throw asTrpcError(new AppError('AUTHENTICATION_REQUIRED', MISSING_KEY));
  return principal;
}

/** Read-only access: an API key, or the job's `session_id` in the input. */
export const readerProcedure = t.procedure.use(async function requireReader({ ctx, next, getRawInput }) {
  rejectWrongCredentials(ctx);
  if (ctx.identity.principal === null) {
    const raw = (await getRawInput()) as { session_id?: unknown } | undefined;
    if (typeof raw?.session_id !== 'string' || raw.session_id === '') {
      throw asTrpcError(new AppError('AUTHENTICATION_REQUIRED', `${MISSING_KEY} (or the job's session_id)`));
    }
  }
  return rethrowAppError(await next());
});

export const apiKeyProcedure = t.procedure.use(async function requireApiKey({ ctx, next }) {
  const principal = requirePrincipal(ctx);
  return rethrowAppError(await next({ ctx: { principal } }));
});

export const adminProcedure = t.procedure.use(async function requireAdmin({ ctx, next }) {
  const principal = requirePrincipal(ctx);
  if (!principal.isAdmin) throw asTrpcError(new AppError('INVALID_API_KEY', 'This endpoint needs an admin API key (ADMIN_API_KEYS)'));
  return rethrowAppError(await next({ ctx: { principal } }));
});
