/**
 * The product, as `npm start` composes it (`startServer` with the parsed environment), with the
 * bench-only provider swapped in. Forked by the cases; it answers their commands over IPC.
 */
import { parseEnv, startServer } from '@image2model/server';
import { serveCommands } from '../lib/ipc.js';
import { BenchProvider, type EmitScript } from './bench-provider.js';
import { startBareStatus } from './bare-status.js';

const provider = new BenchProvider({ modelBytes: Number(process.env.BENCH_MODEL_BYTES ?? 2048) });
const running = await startServer({ env: parseEnv(process.env), provider, print: () => undefined });
let bareStatus: Awaited<ReturnType<typeof startBareStatus>> | null = null;

serveCommands(
  {
    hold: () => provider.hold(),
    held: () => provider.held,
    open: (args) => provider.open((args.script as EmitScript | undefined) ?? null),
    generated: () => provider.generated,
    async 'bare-status'() {
      bareStatus ??= await startBareStatus(running.runtime.store, (job) => running.runtime.jobs.summarize(job));
      return bareStatus.url;
    },
    async close() {
      await bareStatus?.close();
      await running.close({ graceMs: 1000 });
    },
  },
  { url: running.url, dataDir: running.dataDir },
);

process.on('SIGTERM', () => {
  void running.close({ graceMs: 1000 }).finally(() => process.exit(0));
});
