/**
 * A distributed-mode worker process started as `apps/server/src/worker.ts` starts it
 * (`startWorker`), with the bench-only provider instead of the configured one. Forked by the
 * pipeline case; answers its commands.
 */
import { parseEnv } from '@image2model/server';
import { startWorker } from '@image2model/server/worker';
import { serveCommands } from '../lib/ipc.js';
import { BenchProvider } from './bench-provider.js';

const env = parseEnv(process.env);
if (!env.REDIS_URL) throw new Error('REDIS_URL is required');
const bench = new BenchProvider({ modelBytes: Number(process.env.BENCH_MODEL_BYTES ?? 2048) });
const worker = await startWorker({ env: { ...env, REDIS_URL: env.REDIS_URL }, provider: bench });
const stop = (): Promise<void> => worker.close({ graceMs: 1000 });

serveCommands(
  {
    hold: () => bench.hold(),
    held: () => bench.held,
    open: () => bench.open(null),
    close: stop,
  },
  { pid: process.pid },
);

process.on('SIGTERM', () => {
  void stop().finally(() => process.exit(0));
});
