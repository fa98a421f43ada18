import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { benchScript, startChild, type NodeChild } from '../lib/child.js';
import { auth, uploadBatch } from '../lib/http.js';
import { tinyPhoto } from '../lib/images.js';
import { startProduct, waitForHeld, type ProductServer } from '../lib/product.js';
import { watchRss, type RssGrowth } from '../lib/rss.js';
import { subscribe, type SseSubscriber } from '../lib/sse.js';
import { fmt, fmtRatio, percentile, sleep } from '../lib/stats.js';
import { parseTimedMessage, type EmitScript } from '../servers/bench-provider.js';

/** Subscribers connecting at once: more would overflow the listen backlog and measure SYN retries. */
const CONNECT_WAVE = 200;

interface RoundResult {
  latencies: Float64Array;
  rss: RssGrowth;
  emitMs: number;
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

  onEvent(id: string | null, data: string, at: number): void {
    const numericId = Number(id);
    if (!(numericId > this.lastId)) this.problem ??= `id ${id} after ${this.lastId}`;
    this.lastId = numericId;
    const event = JSON.parse(data) as { type: string; message?: string };
    if (event.type === 'done') {
      this.done = true;
      return;
    }
    const timed = event.type === 'log' && event.message ? parseTimedMessage(event.message) : null;
    if (!timed) return;
    if (timed.seq !== this.nextSeq) {
      this.problem ??= `event ${timed.seq} where ${this.nextSeq} was due`;
      return;
    }
    this.latencies[this.offset + this.nextSeq] = at - timed.at;
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
}): Promise<RoundResult> {
  const { url, headers } = await opts.prepare();
  const latencies = new Float64Array(opts.subscribers * opts.script.count).fill(Number.NaN);
  const tallies = Array.from({ length: opts.subscribers }, (_, i) => new Tally(latencies, i * opts.script.count));
  const rss = watchRss(opts.pid);
  const subscribers = await connectAll(url, headers, tallies);
  await sleep(200); // let the last replays settle before the first event
  const { emitMs } = await opts.emit();
  await Promise.all(subscribers.map((s) => s.ended));
  const growth = rss.stop();
  const failed = tallies.findIndex((t) => t.problem !== null || t.nextSeq !== opts.script.count || !t.done);
  if (failed >= 0) {
    const t = tallies[failed] as Tally;
    throw new Error(`subscriber ${failed} of ${url}: ${t.problem ?? `${t.nextSeq} of ${opts.script.count} events${t.done ? '' : ', no done'}`}`);
  }
  return { latencies, rss: growth, emitMs };
}

async function run(ctx: CaseContext) {
  const subscribers = ctx.quick ? 200 : 5000;
  const script: EmitScript = ctx.quick ? { count: 10, intervalMs: 20 } : { count: 100, intervalMs: 50 };
  const rounds = ctx.quick ? 1 : 2;
  const product = await startProduct(ctx);
  const bare = await startChild(benchScript('servers/bare-sse.js'), ctx.scope);
  const photo = await tinyPhoto();

  const ours = (server: ProductServer) => ({
    async prepare() {
      await server.child.call('hold');
      const job = await uploadBatch(server.api, server.key, [{ name: 'photo.jpg', data: photo, type: 'image/jpeg' }]);
      await waitForHeld(server, 1);
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
      results[side].push(await runRound({ subscribers, script, pid: side === 'ours' ? product.pid : bare.pid, ...hooks }));
      ctx.log(`round ${round + 1}: ${side} done`);
    }
  }

  const summarise = (list: RoundResult[]) => {
    const all = list.flatMap((r) => Array.from(r.latencies));
    return {
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      growth: Math.max(...list.map((r) => r.rss.growthMb)),
      emitS: Math.max(...list.map((r) => r.emitMs)) / 1000,
    };
  };
  const o = summarise(results.ours);
  const b = summarise(results.bare);
  const deliveries = subscribers * script.count;
  const measures: Measure[] = [
    { what: `all ${fmt(deliveries)} deliveries, in order`, ours: 'yes', baseline: 'yes', ratio: '', target: 'every event, in order', verdict: 'met' },
    { what: 'p99 delivery latency', ours: `${fmt(o.p99, 1)} ms`, baseline: `${fmt(b.p99, 1)} ms`, ratio: fmtRatio(o.p99 / b.p99), target: '≤ 250 ms', verdict: verdict(o.p99 <= 250) },
    { what: 'p50 delivery latency', ours: `${fmt(o.p50, 1)} ms`, baseline: `${fmt(b.p50, 1)} ms`, ratio: fmtRatio(o.p50 / b.p50), target: '', verdict: 'reported' },
    { what: 'server RSS growth (peak)', ours: `${fmt(o.growth)} MB`, baseline: `${fmt(b.growth)} MB`, ratio: fmtRatio(o.growth / Math.max(1, b.growth)), target: '≤ 300 MB', verdict: verdict(o.growth <= 300) },
  ];
  return {
    line: `sse-fanout: ${fmt(subscribers)} subscribers × ${script.count} events all delivered in order; p99 ${fmt(o.p99, 1)} ms (bare ${fmt(b.p99, 1)} ms, ${fmtRatio(o.p99 / b.p99)}), RSS +${fmt(o.growth)} MB (bare +${fmt(b.growth)} MB): ${summaryVerdict(measures)}`,
    measures,
    method:
      `${fmt(subscribers)} subscribers of one job on \`/api/v1/status/stream/{job_id}\` (raw node:http clients in the runner process, connected ${CONNECT_WAVE} at a time), ` +
      `then ${script.count} log events, one every ${script.intervalMs} ms, each stamped with the instant the bench provider handed it to the server; then the job's \`completed\` and \`done\`. ` +
      `Latency = arrival at the subscriber − that stamp, over every delivery. The baseline is a bare node:http handler writing the same frames to the same number of subscribers at the same pace. ` +
      `${rounds} round(s) per side, alternating; RSS growth = peak during the round − RSS before the subscribers connected (worst round). ` +
      `Emitting took at most ${fmt(o.emitS, 1)} s in ours, ${fmt(b.emitS, 1)} s in the baseline.`,
  };
}

export const sseFanoutCase: BenchCase = {
  name: 'sse-fanout',
  budgetMs: { quick: 30_000, full: 110_000 },
  run,
  limits: '',
};
