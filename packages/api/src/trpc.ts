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

// next() never throws in v11: it returns { ok: false, error }, so we re-throw with the right code.
const mapAppErrors = t.middleware(async function mapAppErrors({ next }) {
  const result = await next();
  const cause = result.ok ? undefined : result.error.cause;
  if (cause instanceof AppError) {
    throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapAppErrors);

/** A wrong Authorization header is 401 everywhere, even beside a valid session_id. */
function rejectWrongCredentials(ctx: Context): void {
  if (ctx.identity.credentialsPresent && ctx.identity.principal === null) {
    throw new AppError('AUTHENTICATION_REQUIRED', 'Invalid API key: send Authorization: Bearer <key> with a configured key');
  }
}

const MISSING_KEY = 'Missing API key: send Authorization: Bearer <key>';

// One middleware per access rule, not one per check: every tRPC middleware hop copies the call's
// options, and the status poll is the hottest path there is.

/** Read-only access: an API key, or the job's `session_id` in the input. */
export const readerProcedure = publicProcedure.use(async function requireReader({ ctx, next, getRawInput }) {
  rejectWrongCredentials(ctx);
  if (ctx.identity.principal === null) {
    const raw = (await getRawInput()) as { session_id?: unknown } | undefined;
    if (typeof raw?.session_id !== 'string' || raw.session_id === '') {
      throw new AppError('AUTHENTICATION_REQUIRED', `${MISSING_KEY} (or the job's session_id)`);
    }
  }
  return next();
});

export const apiKeyProcedure = publicProcedure.use(async function requireApiKey({ ctx, next }) {
  rejectWrongCredentials(ctx);
  const principal: Principal | null = ctx.identity.principal;
  if (principal === null) throw new AppError('AUTHENTICATION_REQUIRED', MISSING_KEY);
  return next({ ctx: { principal } });
});

export const adminProcedure = apiKeyProcedure.use(async function requireAdmin({ ctx, next }) {
  if (!ctx.principal.isAdmin) throw new AppError('INVALID_API_KEY', 'This endpoint needs an admin API key (ADMIN_API_KEYS)');
  return next();
});
