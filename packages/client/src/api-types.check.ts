// Compile-time proof that the generated router types are AppRouter's, as a client sees them.
// Checked by `tsc -p packages/client` and by src/api-types.int.test.ts; never shipped.
import type { TRPCClient } from '@trpc/client';
import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter, UploadResponseSchema } from '@image2model/api';
import type { ErrorCode } from '@image2model/core';
import { expectTypeOf } from 'vitest';
import type { z } from 'zod';
import type { ClientRouter, ServerErrorCode, UploadResponse } from './generated/api-types.js';

expectTypeOf<inferRouterInputs<ClientRouter>>().toEqualTypeOf<inferRouterInputs<AppRouter>>();
expectTypeOf<inferRouterOutputs<ClientRouter>>().toEqualTypeOf<inferRouterOutputs<AppRouter>>();
expectTypeOf<inferRouterError<ClientRouter>>().toEqualTypeOf<inferRouterError<AppRouter>>();
expectTypeOf<TRPCClient<ClientRouter>>().toEqualTypeOf<TRPCClient<AppRouter>>();
expectTypeOf<UploadResponse>().toEqualTypeOf<z.output<typeof UploadResponseSchema>>();
expectTypeOf<ServerErrorCode>().toEqualTypeOf<ErrorCode>();
