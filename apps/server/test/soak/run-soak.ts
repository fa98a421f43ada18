import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildServer } from '@image2model/testing/child-server';
import { makePhoto } from '@image2model/testing/images';
import { runClient } from './client.js';
import { filesUnder } from './leftovers.js';
import { startSampler, type Sample } from './sampler.js';
import { slope } from './slope.js';
import { SoakTally } from './tally.js';
import { HostileTally, runHostileGets } from './hostile-gets.js';

export interface SoakOptions {
  clients: number;
  /** How long clients keep starting new jobs; then every running job is followed to its end. */
  loadMs: number;
  /** Every n-th client cuts an upload mid-body before each of its jobs. @default 5 */
  abortEvery?: number;
  /** Mean pause between a client's GET /status polls while it waits. @default 2000 */
  pollMs?: number;
  /** The longest one job may take, upload to `done` (it bounds the drain after the load). @default 240000 */
  jobTimeoutMs?: number;
  /** Small face limit: each file is real generator work, but cheap enough that 2 cores keep up. @default 500 */
  faceLimit?: number;
  /** Runs the hostile-GET storm (hostile-gets.ts) beside the clients. @default true */
  hostile?: boolean;
  /** Progress lines (one every few seconds); silent by default. */
  log?: (line: string) => void;
}

export interface SoakResult {
  clients: number;
  loadSeconds: number;
  /** From the start until the last job ended (load + drain). */
  totalSeconds: number;
  samples: Sample[];
  tally: SoakTally;
  /** The window the slopes are fitted on: the second half of the load phase, in sampler seconds. */
  window: { from: number; to: number };
  rssSlopeMbPerMin: number;
  fdSlopePerMin: number;
  /** What the hostile-GET storm saw; null when it did not run. */
  hostile: HostileTally | null;
  /** Files left under DATA_DIR/tmp and the server's own TMPDIR after the run. */
  leftovers: string[];
  /** The server's exit code after SIGTERM at the end (0: it stopped cleanly). */
  exitCode: number | null;
  /** Why the server process ended before the run did; null when it lasted. */
  unexpectedExit: string | null;
  serverOutputTail: string;
}

/** Each client has its own key, as each user would, so the per-key cap on open streams and downloads holds. */
const clientKey = (index: number) => `soak-user-key-${String(index).padStart(4, '0')}`;
const HOSTILE_KEY = 'soak-hostile-key-0001';
/** The per-key cap the hostile storm's 30 downloads at once meet (each client holds at most two). */
const MAX_STREAMS_PER_KEY = 20;
/** Short, so the storm's unread downloads are cut several times over a short run. */
const SLOW_READER_TIMEOUT_MS = 3000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The soak: one real server process (`dist/main.js`, embedded mode, the local generator, rate
 * limits out of the way) on loopback, `clients` clients looping over whole jobs for `loadMs`
 * beside the hostile-GET storm, the server's RSS and open fds sampled every second. Everything it
 * creates is removed afterwards.
 */
export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const log = opts.log ?? (() => undefined);
  const root = await mkdtemp(join(tmpdir(), 'i2m-soak-'));
  const dataDir = join(root, 'data');
  // The server's own temp folder, so "nothing left in the system temp folder" is checked on a
  // folder that only it writes to (other processes on this machine use the real one).
  const serverTmp = join(root, 'os-tmp');
  await mkdir(serverTmp, { recursive: true });
  const keys = Array.from({ length: opts.clients }, (_, i) => clientKey(i));
  const server = await startChildServer(
    {
      DATA_DIR: dataDir,
      TMPDIR: serverTmp,
      API_KEYS: [...keys, HOSTILE_KEY].join(','),
      RATE_LIMIT_PER_MINUTE: '100000000',
      RATE_LIMIT_PER_HOUR: '1000000000',
      MAX_STREAMS_PER_KEY: String(MAX_STREAMS_PER_KEY),
      SLOW_READER_TIMEOUT_MS: String(SLOW_READER_TIMEOUT_MS),
    },
    { timeoutMs: 60_000 },
  );
  try {
    const pid = server.child.pid ?? 0;
    const colours = ['#d04a2a', '#2a6fd0', '#2ab04a', '#8a2ad0', '#d0a02a', '#202020'];
    const photos = await Promise.all(colours.map((colour, i) => makePhoto({ width: 80 + 16 * i, height: 96, format: 'jpeg', colour })));
    const abortPhoto = await makePhoto({ width: 512, height: 512, format: 'jpeg' });
    const tally = new SoakTally();
    let unexpectedExit: string | null = null;
    let ending = false;
    const sampler = startSampler(pid, () => ({ answers: tally.takeAnswers(), inFlightJobs: tally.inFlightJobs }));
    const started = Date.now();
    let stopAt = started + opts.loadMs;
    const base = {
      apiUrl: server.url,
      tally,
      photos,
      abortPhoto,
      faceLimit: opts.faceLimit ?? 500,
      stopAt,
      jobTimeoutMs: opts.jobTimeoutMs ?? 240_000,
      pollMs: opts.pollMs ?? 2000,
    };
    const contexts = keys.map((key) => ({ ...base, key }));
    const hostile = opts.hostile === false ? null : new HostileTally();
    // A server that dies mid-run fails the soak at once, with its last words, instead of leaving
    // every client to spin against a closed port until the end.
    void server.exited.then((code) => {
      if (ending) return;
      unexpectedExit = `the server process ended during the run (code ${code}, signal ${server.child.signalCode}):\n${server.output.slice(-20).join('\n')}`;
      stopAt = 0;
      for (const ctx of contexts) ctx.stopAt = 0;
    });
    const progress = setInterval(() => {
      const last = sampler.samples.at(-1);
      log(
        `${Math.round((Date.now() - started) / 1000)} s: ${tally.jobsCompleted}/${tally.jobsStarted} jobs, ${tally.inFlightJobs} in flight, ` +
          `${tally.requests} requests, ${tally.serverErrors.length} 5xx, ${tally.jobFailures.length} failures, RSS ${last?.rssMb.toFixed(0)} MB, ${last?.fds} fds`,
      );
    }, 10_000);
    // Clients join over the first 5 s, as real ones would, rather than in one synchronous burst.
    const storm = hostile
      ? runHostileGets({
          apiUrl: server.url,
          dataDir,
          tally: hostile,
          streamsKey: HOSTILE_KEY,
          maxStreamsPerKey: MAX_STREAMS_PER_KEY,
          slowReaderTimeoutMs: SLOW_READER_TIMEOUT_MS,
          stopAt: () => stopAt,
        }).catch((error: unknown) => {
          hostile.wrong.push(`the storm stopped: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        })
      : Promise.resolve();
    await Promise.all([
      ...contexts.map(async (ctx, i) => {
        await sleep((i * 5000) / opts.clients);
        await runClient(ctx, i, opts.abortEvery ?? 5);
      }),
      storm,
    ]);
    clearInterval(progress);
    const totalSeconds = (Date.now() - started) / 1000;
    const samples = await sampler.stop();

    // Aborted uploads are cleaned up as each request ends; allow a moment for the last unlink.
    let leftovers: string[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      leftovers = [...(await filesUnder(join(dataDir, 'tmp'))).map((f) => `DATA_DIR/tmp/${f}`), ...(await filesUnder(serverTmp)).map((f) => `TMPDIR/${f}`)];
      if (leftovers.length === 0) break;
      await sleep(500);
    }

    const loadSeconds = opts.loadMs / 1000;
    const window = { from: loadSeconds / 2, to: loadSeconds };
    const inWindow = samples.filter((s) => s.t >= window.from && s.t <= window.to);
    const rssSlopeMbPerMin = slope(inWindow.map((s) => ({ x: s.t, y: s.rssMb }))) * 60;
    const fdSlopePerMin = slope(inWindow.map((s) => ({ x: s.t, y: s.fds }))) * 60;

    ending = true;
    server.child.kill('SIGTERM');
    const exitCode = await server.exited;
    return {
      clients: opts.clients,
      loadSeconds,
      totalSeconds,
      samples,
      tally,
      hostile,
      window,
      rssSlopeMbPerMin,
      fdSlopePerMin,
      leftovers,
      exitCode,
      unexpectedExit,
      serverOutputTail: server.output.slice(-20).join('\n'),
    };
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
    await rm(root, { recursive: true, force: true });
  }
}
