/**
 * A distributed-mode worker process started as `apps/server/src/worker.ts` starts it
 * (`startWorker`), with the bench-only provider instead of the configured one, or
 * (`BENCH_PROVIDER=local`) the configured local generator behind a gate. Forked by the pipeline
 * cases; answers their commands.
 */
import { createProvider, parseEnv } from '@image2model/server';
import { startWorker } from '@image2model/server/worker';
import { serveCommands } from '../lib/ipc.js';
import { BenchProvider } from './bench-provider.js';
import { HeldProvider } from './held-provider.js';

const env = parseEnv(process.env);
if (!env.REDIS_URL) throw new Error('REDIS_URL is required');

async function provider(): Promise<{ provider: BenchProvider | HeldProvider; hold(): void; held(): number; open(): unknown }> {
  if (process.env.BENCH_PROVIDER === 'local') {
    const held = new HeldProvider(await createProvider(env));
    return { provider: held, hold: () => held.gate.hold(), held: () => held.gate.held, open: () => held.gate.open() };
  }
  const bench = new BenchProvider({ modelBytes: Number(process.env.BENCH_MODEL_BYTES ?? 2048) });
  return { provider: bench, hold: () => bench.hold(), held: () => bench.held, open: () => bench.open(null) };
}

const chosen = await provider();
const worker = await startWorker({ env: { ...env, REDIS_URL: env.REDIS_URL }, provider: chosen.provider });
const stop = (): Promise<void> => worker.close({ graceMs: 1000 });

serveCommands(
  {
    hold: () => chosen.hold(),
    held: () => chosen.held(),
    open: () => chosen.open(),
    close: stop,
  },
  { pid: process.pid },
);

process.on('SIGTERM', () => {
  void stop().finally(() => process.exit(0));
});
