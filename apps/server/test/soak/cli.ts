/**
 * `npm run soak`: the full soak (200 clients, 5 minutes of load by default) against a fresh
 * `dist/main.js`, then the chart in docs/soak.png and one summary line. Exits 1 if a check failed.
 *
 *   SOAK_CLIENTS=200 SOAK_SECONDS=300 SOAK_CHART=docs/soak.png npm run soak
 *
 * SOAK_HOSTILE=0 leaves out the hostile-GET storm that runs beside the clients by default.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { soakChartPng } from './chart.js';
import { runSoak } from './run-soak.js';
import { FULL_RUN_BOUNDS, summaryLine, summaryParts, verdict } from './verdict.js';

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

const clients = positive('SOAK_CLIENTS', 200);
const seconds = positive('SOAK_SECONDS', 300);
const chartPath = resolve(process.env.SOAK_CHART ?? 'docs/soak.png');

const result = await runSoak({ clients, loadMs: seconds * 1000, hostile: process.env.SOAK_HOSTILE !== '0', log: (line) => process.stderr.write(`${line}\n`) });
const failures = verdict(result, FULL_RUN_BOUNDS);
const [scale, ...figures] = summaryParts(result);
const heading = [`Image2Model soak, embedded mode, one server process: ${scale} (${failures.length === 0 ? 'passed' : 'FAILED'})`];
for (let i = 0; i < figures.length; i += 2) heading.push(figures.slice(i, i + 2).join('; '));
await writeFile(chartPath, await soakChartPng(result, heading));
process.stdout.write(`${summaryLine(result)}\nchart: ${chartPath}\n`);
if (failures.length > 0) {
  process.stdout.write(`FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
  process.exitCode = 1;
}
