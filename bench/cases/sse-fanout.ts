import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { benchScript, startChild, type NodeChild } from '../lib/child.js';
import { auth, uploadBatch } from '../lib/http.js';
import { tinyPhoto } from '../lib/images.js';
import { startProduct, waitForHeld, type ProductServer } from '../lib/product.js';
import { watchRss, type RssGrowth } from '../lib/rss.js';
import { subscribe, type SseSubscriber } from '../lib/sse.js';
import { readCpuMs } from '../lib/cpu.js';
import { fmt, fmtRatio, nowMs, percentile, sleep, sum } from '../lib/stats.js';
import type { EmitScript } from '../servers/bench-provider.js';

/** Subscribers connecting at once: more would overflow the listen backlog and measure SYN retries. */
const CONNECT_WAVE = 200;

/** After the first event, the round waits this long for every stream to end, then hangs up. */
const DRAIN_DEADLINE_MS = 30_000;
const TIMED_EVENT = /"message":"bench seq=(\d+) t=([\d.]+)"/;

interface RoundResult {
  /** Per delivery (subscriber × event): arrival − emission, NaN where it never arrived. */
  latencies: Float64Array;
  rss: RssGrowth;
  /** RSS growth once every subscriber was connected, before any event. */
  connectedMb: number;
  emitMs: number | null;
  /** Server CPU while subscribers connected, and from the first event until every stream ended. */
  connectCpuMs: number;
  deliverCpuMs: number;
}

/** What one subscriber saw: the timed events must arrive all, once each, in order, then `done`. */
class Tally {
  nextSeq = 0;
  lastId = 0;
  done = false;
  problem: string | null = null;

  constructor(
    private readonly latencies: Float64Array,
    private readonly offset: number,
  ) {}

  /** Matches the frame's text, not JSON.parse: the runner reads half a million of them. */
  onEvent(id: string | null, data: string, at: number): void {
    const numericId = Number(id);
    if (!(numericId > this.lastId)) this.problem ??= `id ${id} after ${this.lastId}`;
    this.lastId = numericId;
    const timed = TIMED_EVENT.exec(data);
    if (!timed) {
      if (data.includes('"type":"done"')) this.done = true;
      return;
    }
    const seq = Number(timed[1]);
    if (seq !== this.nextSeq) {
      this.problem ??= `event ${seq} where ${this.nextSeq} was due`;
      return;
    }
    this.latencies[this.offset + seq] = at - Number(timed[2]);
    this.nextSeq += 1;
  }
}

async function connectAll(url: string, headers: Record<string, string>, tallies: Tally[]): Promise<SseSubscriber[]> {
  const subscribers: SseSubscriber[] = [];
  for (let start = 0; start < tallies.length; start += CONNECT_WAVE) {
    const wave = tallies.slice(start, start + CONNECT_WAVE).map((tally) => subscribe(url, headers, (e, at) => tally.onEvent(e.id, e.data, at)));
    subscribers.push(...wave);
    await Promise.race([Promise.all(wave.map((s) => s.opened)), Promise.all(wave.map((s) => s.ended))]);
  }
  // A subscriber whose answer failed rejects `ended`: fail now, before emitting anything.
  await Promise.race([Promise.all(subscribers.map((s) => s.opened)), ...subscribers.map((s) => s.ended.then(() => Promise.reject(new Error('a stream ended before any event'))))]);
  return subscribers;
}

async function runRound(opts: {
  subscribers: number;
  script: EmitScript;
  pid: number;
  prepare: () => Promise<{ url: string; headers: Record<string, string> }>;
  emit: () => Promise<{ emitMs: number }>;
  log: (message: string) => void;
}): Promise<RoundResult> {
  const { url, headers } = await opts.prepare();
  const latencies = new Float64Array(opts.subscribers * opts.script.count).fill(Number.NaN);
  const tallies = Array.from({ length: opts.subscribers }, (_, i) => new Tally(latencies, i * opts.script.count));
  const rss = watchRss(opts.pid);
  const connectStart = nowMs();
  const cpuBefore = readCpuMs(opts.pid);
  const subscribers = await connectAll(url, headers, tallies);
  await sleep(200); // let the last replays settle before the first event
  const cpuConnected = readCpuMs(opts.pid);
  const connectedMb = rss.now();
  opts.log(`${opts.subscribers} connected in ${fmt(nowMs() - connectStart)} ms, RSS +${fmt(connectedMb)} MB`);
  const emitStart = nowMs();
  let emitMs: number | null = null;
  const emitted = opts.emit().then((e) => {
    emitMs = e.emitMs;
    opts.log(`emitted in ${fmt(e.emitMs)} ms`);
  });
  emitted.catch(() => undefined); // a server still emitting at the deadline is stopped with the case
  // Emitting and delivering share one deadline: a server that falls behind is cut off, not waited for.
  const done = Promise.all([emitted, ...subscribers.map((s) => s.ended)]).then(() => true);
  const allEnded = await Promise.race([done, sleep(DRAIN_DEADLINE_MS).then(() => false)]);
  const growth = rss.stop();
  const cpuDelivered = readCpuMs(opts.pid);
  if (!allEnded) {
    opts.log(`streams still open ${fmt(DRAIN_DEADLINE_MS)} ms after the first event: hanging up`);
    for (const s of subscribers) s.close();
  } else {
    opts.log(`all streams ended ${fmt(nowMs() - emitStart)} ms after the first event`);
  }
  const broken = tallies.findIndex((t) => t.problem !== null || (allEnded && (t.nextSeq !== opts.script.count || !t.done)));
  if (broken >= 0) {
    const t = tallies[broken] as Tally;
    throw new Error(`subscriber ${broken} of ${url}: ${t.problem ?? `${t.nextSeq} of ${opts.script.count} events${t.done ? '' : ', no done'}`}`);
  }
  return { latencies, rss: growth, connectedMb, emitMs, connectCpuMs: cpuConnected - cpuBefore, deliverCpuMs: cpuDelivered - cpuConnected };
}

async function run(ctx: CaseContext) {
  const subscribers = ctx.quick ? 200 : 5000;
  const script: EmitScript = ctx.quick ? { count: 10, intervalMs: 20 } : { count: 100, intervalMs: 50 };
  const rounds = 1; // 5,000 streams per side take most of the two minutes on a shared machine
  const product = await startProduct(ctx);
  const bare = await startChild(benchScript('servers/bare-sse.js'), ctx.scope);
  const photo = await tinyPhoto();

  const ours = (server: ProductServer) => ({
    async prepare() {
      await server.child.call('hold');
      const job = await uploadBatch(server.api, server.key, [{ name: 'photo.jpg', data: photo, type: 'image/jpeg' }]);
      await waitForHeld(server.child, 1);
      return { url: `${server.api}/status/stream/${job.job_id}`, headers: auth(server.key) };
    },
    emit: () => server.child.call<{ emitMs: number }>('open', { script }),
  });
  const baseline = (child: NodeChild) => ({
    prepare: async () => ({ url: `${String(child.info.url)}/status/stream/batch_bench`, headers: {} }),
    emit: () => child.call<{ emitMs: number }>('emit', { script, jobId: 'batch_bench' }),
  });

  const results = { ours: [] as RoundResult[], bare: [] as RoundResult[] };
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const)) {
      ctx.log(`round ${round + 1}: ${side}, ${subscribers} subscribers`);
      const hooks = side === 'ours' ? ours(product) : baseline(bare);
      results[side].push(await runRound({ subscribers, script, pid: side === 'ours' ? product.pid : bare.pid, ...hooks, log: ctx.log }));
      ctx.log(`round ${round + 1}: ${side} done`);
    }
  }

  const summarise = (list: RoundResult[]) => {
    // A delivery that never came counts as infinitely late.
    const all = list.flatMap((r) => Array.from(r.latencies, (ms) => (Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms)));
    return {
      delivered: all.filter(Number.isFinite).length / all.length,
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      growth: Math.max(...list.map((r) => r.rss.growthMb)),
      connectUs: (1000 * sum(list.map((r) => r.connectCpuMs))) / (list.length * subscribers),
      // Per delivery that arrived: a round cut off at the deadline delivered fewer.
      deliverUs: (1000 * sum(list.map((r) => r.deliverCpuMs))) / Math.max(1, all.filter(Number.isFinite).length),
      connectedMb: Math.max(...list.map((r) => r.connectedMb)),
      emitS: list.some((r) => r.emitMs === null) ? null : Math.max(...list.map((r) => r.emitMs ?? 0)) / 1000,
    };
  };
  const o = summarise(results.ours);
  const b = summarise(results.bare);
  const deliveries = subscribers * script.count;
  const emitted = (s: number | null) => (s === null ? `over ${DRAIN_DEADLINE_MS / 1000} s (cut off)` : `${fmt(s, 1)} s`);
  const share = (x: number) => (x === 1 ? 'all, in order' : `${fmt(100 * x, 1)}% within ${DRAIN_DEADLINE_MS / 1000} s, in order`);
  const late = (ms: number) => (Number.isFinite(ms) ? `${fmt(ms, 1)} ms` : `> ${DRAIN_DEADLINE_MS / 1000} s`);
  const ratio = (a: number, c: number) => (Number.isFinite(a) && Number.isFinite(c) ? fmtRatio(a / c) : '');
  const measures: Measure[] = [
    { what: `${fmt(deliveries)} deliveries`, ours: share(o.delivered), baseline: share(b.delivered), ratio: '', target: 'every event, in order', verdict: verdict(o.delivered === 1) },
    { what: 'p99 delivery latency', ours: late(o.p99), baseline: late(b.p99), ratio: ratio(o.p99, b.p99), target: '≤ 250 ms', verdict: verdict(o.p99 <= 250) },
    { what: 'p50 delivery latency', ours: late(o.p50), baseline: late(b.p50), ratio: ratio(o.p50, b.p50), target: '', verdict: 'reported' },
    { what: 'server CPU per delivery', ours: `${fmt(o.deliverUs, 1)} µs`, baseline: `${fmt(b.deliverUs, 1)} µs`, ratio: fmtRatio(o.deliverUs / b.deliverUs), target: '', verdict: 'reported' },
    { what: 'server CPU per subscriber connecting', ours: `${fmt(o.connectUs)} µs`, baseline: `${fmt(b.connectUs)} µs`, ratio: fmtRatio(o.connectUs / b.connectUs), target: '', verdict: 'reported' },
    { what: `server RSS growth with ${fmt(subscribers)} idle subscribers`, ours: `${fmt(o.connectedMb)} MB`, baseline: `${fmt(b.connectedMb)} MB`, ratio: fmtRatio(o.connectedMb / Math.max(1, b.connectedMb)), target: '', verdict: 'reported' },
    { what: 'server RSS growth (peak)', ours: `${fmt(o.growth)} MB`, baseline: `${fmt(b.growth)} MB`, ratio: fmtRatio(o.growth / Math.max(1, b.growth)), target: '≤ 300 MB', verdict: verdict(o.growth <= 300) },
  ];
  return {
    line: `sse-fanout: ${fmt(subscribers)} subscribers × ${script.count} events, ${share(o.delivered)}; p99 ${late(o.p99)} (bare ${late(b.p99)}), RSS +${fmt(o.growth)} MB (bare +${fmt(b.growth)} MB): ${summaryVerdict(measures)}`,
    measures,
    method:
      `${fmt(subscribers)} subscribers of one job on \`/api/v1/status/stream/{job_id}\` (raw node:http clients in the runner process, connected ${CONNECT_WAVE} at a time), ` +
      `then ${script.count} log events, one every ${script.intervalMs} ms, each stamped with the instant the bench provider handed it to the server; then the job's \`completed\` and \`done\`. ` +
      `Latency = arrival at the subscriber − that stamp, over every delivery (one that has not arrived ${DRAIN_DEADLINE_MS / 1000} s after the first event counts as infinitely late). The baseline is a bare node:http handler writing the same frames to the same number of subscribers at the same pace. ` +
      `${rounds} round(s) per side, alternating; RSS growth = peak during the round − RSS before the subscribers connected (worst round). ` +
      `Emitting the ${script.count} events (nominally ${fmt((script.count * script.intervalMs) / 1000, 1)} s) took ${emitted(o.emitS)} in ours, ${emitted(b.emitS)} in the baseline: a server whose event loop is saturated paces its events late.`,
  };
}

const LIMITS = `
**What limits it now: the socket writes themselves, as in the baseline.** The route (\`apps/server/src/http/event-fanout.ts\`) checks access once through \`status.get\`, replays what the client missed, then joins a per-job hub: one subscription to the job's events per process, each event serialised once per origin, and the same frame written to every follower, with one heartbeat timer for all streams; a follower whose response is buffering more than 256 KiB is closed and resumes with \`Last-Event-ID\`. Frames are encoded once, with their chunk framing, and written straight to each socket (\`http/sse-frame.ts\`): one write of prepared bytes instead of ServerResponse's four buffered pieces and a cork-until-next-tick per write, which was what let the loop fall behind (each event's 5,000 writes took longer than the 50 ms between events, so latency piled up). The per-follower chain of iterators, generators, promises, timers and JSON that cost 55 µs per delivery is gone: CPU per delivery is within about 1.2× of the bare fan-out (the rest: the event's trip through the job service and its append to the event log, and Express's response object), and \`writev\` is the top frame of both profiles. Connecting costs more than the bare server's (Express's middleware chain, the API key's digest, the rate limiter and the access check per subscriber) and each follower keeps an Express request/response pair, hence about twice the bare server's RSS per idle subscriber. Latency on this shared host follows the load of the machine for both sides; the ratio is the figure to read.

**Headroom**: the latency target is an absolute figure, and on this shared host the bare fan-out itself misses it in some runs; ours now matches or beats the baseline's latency in the same run. Serving event streams from a route that skips the JSON API's middleware chain would cut the per-subscriber connect cost and memory.
`;

export const sseFanoutCase: BenchCase = {
  name: 'sse-fanout',
  budgetMs: { quick: 30_000, full: 120_000 },
  run,
  limits: LIMITS,
};
