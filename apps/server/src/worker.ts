import { parseEnv, type Env } from './env.js';
import { startWorker } from './process/start-worker.js';
import { onShutdownSignal } from './process/shutdown.js';

function fail(message: string): never {
  process.stderr.write(`Image2Model worker failed to start: ${message}\n`);
  process.exit(1);
}

function readEnv(): Env & { REDIS_URL: string } {
  let env: Env;
  try {
    env = parseEnv();
  } catch (error) {
    return fail((error as Error).message);
  }
  if (!env.REDIS_URL) {
    return fail('REDIS_URL is not set. Worker processes serve distributed mode; without REDIS_URL, `npm start` runs everything in one process.');
  }
  return { ...env, REDIS_URL: env.REDIS_URL };
}

/**
 * The worker process (`npm run start:worker`). Run as many as the machines allow; each exposes its
 * own metrics on METRICS_PORT. SIGTERM finishes running files within SHUTDOWN_GRACE_MS, hands the
 * rest back to the queue, and closes Redis last.
 */
async function main(): Promise<void> {
  const env = readEnv();
  const worker = await startWorker({ env });
  onShutdownSignal({ logger: worker.logger, graceMs: env.SHUTDOWN_GRACE_MS, stop: (graceMs) => worker.close({ graceMs }) });
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
