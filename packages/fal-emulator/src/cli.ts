#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startFalEmulator } from './emulator.js';
import { SCENARIO_NAMES, type FalScenarioName } from './scenarios.js';

const USAGE = `Usage: npm run fal-emulator -- [--port 8010] [--host 127.0.0.1] [--scenario success]
                             [--queue-ms 1000] [--processing-ms 3000] [--urls fal|local]

Scenarios: ${SCENARIO_NAMES.join(', ')}
Then: FAL_KEY=any FAL_BASE_URL=http://127.0.0.1:<port> npm start`;

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a number >= 0`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8010' },
      host: { type: 'string', default: '127.0.0.1' },
      scenario: { type: 'string', default: 'success' },
      'queue-ms': { type: 'string' },
      'processing-ms': { type: 'string' },
      urls: { type: 'string', default: 'fal' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.urls !== 'fal' && values.urls !== 'local') throw new Error('--urls must be fal or local');
  const emulator = await startFalEmulator({
    port: number(values.port, 'port'),
    host: values.host,
    scenario: values.scenario as FalScenarioName,
    queueMs: number(values['queue-ms'], 'queue-ms'),
    processingMs: number(values['processing-ms'], 'processing-ms'),
    urls: values.urls,
  });
  process.stdout.write(
    `FAL emulator listening on ${emulator.url} (scenario ${values.scenario})\n` +
      `Run the server against it: FAL_KEY=any FAL_BASE_URL=${emulator.url} npm start\n`,
  );
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
  process.exit(1);
});
