export { appRouter, type AppRouter } from './root.js';
export { createCallerFactory, TRPC_CODE } from './trpc.js';
export type { ApiServices, Context, Identity } from './context.js';
export { createApiKeyAuth, hashApiKey, readBearer, type ApiKeyAuth, type Principal } from './auth.js';
export { appErrorFromTrpc, appErrorFromUnknown } from './rest-errors.js';
export { createOpenApiDocument, type OpenApiOptions } from './openapi.js';
export { accessFor, downloadUrl, toJobStatus, toWireEvent } from './wire.js';
export * from './schemas.js';
export { trpcErrorBody } from './trpc-error-response.js';
