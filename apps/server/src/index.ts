/**
 * `@image2model/server`: what bench and other hosts may build a server from. Worker processes are
 * `@image2model/server/worker` (this entry must not load BullMQ or ioredis).
 */
export { startServer, type RunningServer, type StartServerOptions } from './process/start-server.js';
export { parseEnv, type Env } from './env.js';
export { createProvider } from './process/provider.js';
