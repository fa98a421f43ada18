import type { Logger } from 'pino';
import type { Env } from '../env.js';
import type { ModeParts } from './runtime.js';
import type { Listening } from './listen.js';

/**
 * The start-up log line and the ready banner. Embedded mode starts its in-process worker here,
 * once the server listens; distributed mode says how many worker processes are connected.
 */
export async function announceServer(opts: {
  env: Env;
  parts: ModeParts;
  listening: Listening;
  dataDir: string;
  metricsPort: number | null;
  logger: Logger;
  print: (text: string) => void;
}): Promise<void> {
  const { env, parts, logger, dataDir, metricsPort } = opts;
  const { port, host } = opts.listening;
  const { provider } = parts.runtime;
  if (parts.connectedWorkers && env.REDIS_URL) {
    const workers = await parts.connectedWorkers().catch(() => 0);
    const { describeRedisUrl } = await import('./redis.js');
    logger.info(
      { port, data_dir: dataDir, provider: provider.name, mode: 'distributed', redis: describeRedisUrl(env.REDIS_URL), workers, metrics_port: metricsPort },
      `Image2Model listening on http://${host}:${port} (distributed mode, ${provider.name} generator, ${workers} worker process(es) connected, data in ${dataDir})`,
    );
    if (workers === 0) logger.warn({}, 'No worker process is connected yet: files wait in the queue until one runs (npm run start:worker)');
  } else {
    const resumed = await parts.runtime.startWorker();
    logger.info(
      { port, data_dir: dataDir, provider: provider.name, mode: 'embedded', resumed, metrics_port: metricsPort },
      `Image2Model listening on http://${host}:${port} (embedded mode, ${provider.name} generator, data in ${dataDir})`,
    );
  }
  // The one human-readable line among the JSON logs: where to go next.
  opts.print(`\n  Image2Model is ready: open http://${host}:${port}/ (API docs at http://${host}:${port}/api/v1/docs)\n`);
}
