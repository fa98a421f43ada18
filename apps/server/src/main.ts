import { parseEnv, type Env } from './env.js';
import { startServer } from './server.js';

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
  const running = await startServer({ env: readEnv() });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.logger.info({ signal }, `${signal}: finishing running work, then stopping`);
    await running.close({ graceMs: 10_000 });
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Image2Model failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
