import { parseEnv, type Env } from './env.js';
import { startServer } from './process/start-server.js';
import { onShutdownSignal } from './process/shutdown.js';

function readEnv(): Env {
  try {
    return parseEnv();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}

/** The entry point: configuration in, a listening server out. Nothing else reads process.env. */
async function main(): Promise<void> {
  const env = readEnv();
  const running = await startServer({ env });
  onShutdownSignal({ logger: running.logger, graceMs: env.SHUTDOWN_GRACE_MS, stop: (graceMs) => running.close({ graceMs }) });
}

main().catch((error: unknown) => {
  process.stderr.write(`Image2Model failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
