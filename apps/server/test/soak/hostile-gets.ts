import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { finishedJob, growModel } from '@image2model/testing/finished-job';
import { auth } from '@image2model/testing/http';

/** What the hostile clients saw: answers by kind and status, and every answer that was not one of the right ones. */
export class HostileTally {
  readonly answers = new Map<string, number>();
  readonly wrong: string[] = [];
  /** Downloads served and then read at 0 bytes/s that the server cut. */
  slowReadersCut = 0;
  /** Rounds of 30 downloads at once on one key. */
  streamRounds = 0;

  answer(kind: string, status: number, expected: readonly number[]): void {
    const label = `${kind} ${status}`;
    this.answers.set(label, (this.answers.get(label) ?? 0) + 1);
    if (!expected.includes(status) && this.wrong.length < 20) this.wrong.push(`${kind}: ${status} (expected ${expected.join(' or ')})`);
  }

  get total(): number {
    let sum = 0;
    for (const count of this.answers.values()) sum += count;
    return sum;
  }
}

export interface HostileContext {
  apiUrl: string;
  dataDir: string;
  tally: HostileTally;
  /** Owns the job whose downloads are opened 30 at a time and not read. */
  streamsKey: string;
  /** The server's MAX_STREAMS_PER_KEY: how many of those 30 must be served. */
  maxStreamsPerKey: number;
  /** The server's SLOW_READER_TIMEOUT_MS: a stalled download must be cut by then (plus slack). */
  slowReaderTimeoutMs: number;
  /** No new attack starts after this instant (read on every round: the run may end it early). */
  stopAt(): number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const junk = (chars = 8) => randomBytes(chars).toString('base64url').slice(0, chars);
/** Just under Node's 16 KiB header limit with the request line and a few headers: parsed, not a 431. */
const LONG_PATH_CHARS = 15_900;
/**
 * A pause between a storm client's requests: it is there to be present all along, not to take
 * the machine (each ~16 KB path is garbage the heap must grow for, which the RSS slope would show).
 */
const PAUSE_MS = 10;
/** A model larger than the loopback socket buffers of both ends, so a reader that stops is noticed. */
const BIG_MODEL_BYTES = 24 * 1024 * 1024;
/**
 * How much longer than SLOW_READER_TIMEOUT_MS an answer stays unread: the server's idle clock
 * starts once the socket buffers are full, which takes seconds for 20 answers on a loaded machine.
 */
const UNREAD_SLACK_MS = 10_000;

function get(agent: Agent, url: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const RANDOM_SHAPES: (() => string)[] = [
  () => `/trpc/${junk()}.${junk()}`,
  () => `/trpc/health.get,${junk()}?batch=1&input={}`,
  () => `/api/v1/${junk()}/${junk()}`,
  () => `/api/v1/status/${junk()}/${junk()}/${junk()}`,
  () => `/${junk()}.php`,
];

/** Random paths, HEAD and GET, without a key and with a wrong one: each answered 4xx (HEAD on /trpc: 204/207), none a 5xx. */
async function randomPaths(ctx: HostileContext, agent: Agent): Promise<void> {
  for (let i = 0; Date.now() < ctx.stopAt(); i++) {
    const path = (RANDOM_SHAPES[i % RANDOM_SHAPES.length] as () => string)();
    const method = i % 2 === 0 ? 'GET' : 'HEAD';
    const headers: Record<string, string> = i % 3 === 0 ? { Authorization: `Bearer wrong-${junk()}` } : {};
    const status = await get(agent, `${ctx.apiUrl}${path}`, { method, headers });
    ctx.tally.answer('random path', status, [200, 204, 207, 400, 401, 404]);
    await sleep(PAUSE_MS);
  }
}

/** Paths of ~15.9 KB: 404 (401 where the path is a real route without a key), never 431 or 5xx. */
async function longPaths(ctx: HostileContext, agent: Agent): Promise<void> {
  const prefixes = ['/', '/api/v1/', '/trpc/', '/api/v1/status/'];
  for (let i = 0; Date.now() < ctx.stopAt(); i++) {
    const prefix = prefixes[i % prefixes.length] as string;
    const status = await get(agent, `${ctx.apiUrl}${prefix}${junk(LONG_PATH_CHARS - prefix.length)}`);
    ctx.tally.answer('long path', status, [401, 404]);
    await sleep(PAUSE_MS * 4);
  }
}

/** tRPC batches: 26 readiness calls are refused whole (400), 25 are served (200). */
async function batches(ctx: HostileContext, agent: Agent): Promise<void> {
  const batchOf = (n: number) => `${ctx.apiUrl}/trpc/${Array.from({ length: n }, () => 'health.ready').join(',')}?batch=1&input={}`;
  while (Date.now() < ctx.stopAt()) {
    ctx.tally.answer('batch of 26', await get(agent, batchOf(26)), [400]);
    ctx.tally.answer('batch of 25', await get(agent, batchOf(25), { headers: auth(ctx.streamsKey) }), [200]);
    await sleep(100);
  }
}

/**
 * A GET whose answer is not read past its status line (0 bytes/s) until `holdMs` have passed;
 * then it is drained. Resolves with the status and whether the server cut the answer short (it
 * ended before the whole body came: a reader the server gave up on).
 */
function stalledGet(url: string, key: string, holdMs: number): Promise<{ status: number; cut: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: auth(key) }, (res) => {
      if (res.statusCode !== 200) {
        // A refusal is read and its socket closed at once: only the served answers are held.
        res.resume();
        res.once('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, cut: false });
        });
        return;
      }
      res.pause();
      res.on('error', () => undefined);
      let closed = false;
      res.once('close', () => (closed = true));
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        req.destroy();
        resolve({ status: res.statusCode ?? 0, cut: !res.complete });
      };
      setTimeout(() => {
        // Drain what the buffers hold: an answer the server cut closes incomplete, a whole one completes.
        res.resume();
        if (closed) settle();
        res.once('close', settle);
        setTimeout(settle, 15_000);
      }, holdMs);
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end();
  });
}

/**
 * Rounds of 30 downloads at once on one key (the big model and the ZIP), none read: exactly
 * MAX_STREAMS_PER_KEY are served and the rest refused 429; each served one is cut by the server
 * after SLOW_READER_TIMEOUT_MS, freeing its slot and its open file before the next round.
 */
async function stalledDownloads(ctx: HostileContext, paths: string[]): Promise<void> {
  while (Date.now() < ctx.stopAt()) {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => stalledGet(`${ctx.apiUrl}${paths[i % paths.length] as string}`, ctx.streamsKey, ctx.slowReaderTimeoutMs + UNREAD_SLACK_MS)),
    );
    for (const answer of answers) ctx.tally.answer('one of 30 downloads on one key', answer.status, [200, 429]);
    const served = answers.filter((answer) => answer.status === 200);
    if (served.length !== ctx.maxStreamsPerKey) ctx.tally.wrong.push(`${served.length} of 30 downloads on one key served (expected ${ctx.maxStreamsPerKey})`);
    for (const answer of served) {
      if (answer.cut) ctx.tally.slowReadersCut += 1;
      else ctx.tally.wrong.push('a download read at 0 bytes/s was not cut');
    }
    ctx.tally.streamRounds += 1;
    await sleep(1000); // the server counts a download closed once its socket is
  }
}

/**
 * The hostile-GET storm that runs beside the soak's clients: random and ~16 KB paths, tRPC
 * batches over and at the limit, and rounds of 30 downloads on one key read at 0 bytes/s. Its
 * answers are checked here, apart from the soak's (most are 4xx by design).
 */
export async function runHostileGets(ctx: HostileContext): Promise<void> {
  const job = await finishedJob({ api: (path) => `${ctx.apiUrl}/api/v1${path}`, dataDir: ctx.dataDir }, ctx.streamsKey, ['big.png', 'small.png']);
  await growModel({ api: (path) => path, dataDir: ctx.dataDir }, job.job_id, 'file_001', BIG_MODEL_BYTES);
  const downloads = [`/api/v1/download/${job.job_id}/file_001/model`, `/api/v1/download/${job.job_id}/all`];
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    await Promise.all([
      randomPaths(ctx, agent),
      randomPaths(ctx, agent),
      longPaths(ctx, agent),
      batches(ctx, agent),
      stalledDownloads(ctx, downloads),
    ]);
  } finally {
    agent.destroy();
  }
}
