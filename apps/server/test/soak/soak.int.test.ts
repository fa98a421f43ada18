import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { soakChartPng } from './chart.js';
import { runSoak, type SoakResult } from './run-soak.js';
import { SHORT_RUN_BOUNDS, summaryLine, verdict } from './verdict.js';

const CLIENTS = 50;
const LOAD_SECONDS = 50;

/**
 * The soak of `npm run soak`, short (50 clients, 50 s of load) so CI runs it on every change: the
 * same server process, clients, hostile-GET storm and checks, with the looser slope bounds a 25 s
 * window allows (see SHORT_RUN_BOUNDS). Needs `npm run build` (it starts dist/main.js).
 */
describe('soak (short)', () => {
  let result: SoakResult;

  it(`${CLIENTS} clients and the hostile-GET storm for ${LOAD_SECONDS} s: no 5xx, every job completes, every hostile GET answered as it must, nothing left behind, RSS and fds level`, { timeout: 360_000 }, async () => {
    result = await runSoak({ clients: CLIENTS, loadMs: LOAD_SECONDS * 1000, jobTimeoutMs: 180_000 });
    console.log(summaryLine(result));
    expect(verdict(result, SHORT_RUN_BOUNDS)).toEqual([]);
    // Each client finished jobs, some uploads really were cut, and the sampler ran all along.
    expect(result.tally.jobsCompleted).toBeGreaterThanOrEqual(CLIENTS);
    expect(result.tally.uploadsAborted).toBeGreaterThan(0);
    expect(result.samples.length).toBeGreaterThan(LOAD_SECONDS * 0.8);
    // The hostile-GET storm ran beside them all along, and each of its rounds met the caps.
    expect(result.hostile?.total).toBeGreaterThan(1000);
    expect(result.hostile?.streamRounds).toBeGreaterThanOrEqual(2);
  });

  it('renders the run into a PNG chart', async () => {
    const png = await soakChartPng(result, ['soak (short)', summaryLine(result)]);
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(1200);
  });
});
