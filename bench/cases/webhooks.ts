import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { startProduct } from '../lib/product.js';
import { fmt, nowMs } from '../lib/stats.js';
import { FILES_PER_BATCH, measurePipeline, SLOTS_ENV, type PipelineFigures } from './pipeline.js';

/** The bench's receiver: answers every webhook 204 at once and notes when each distinct event first arrived. */
async function startReceiver(scope: CaseContext['scope']) {
  const firstSeen = new Map<string, number>();
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      const id = String(req.headers['webhook-id']);
      if (!firstSeen.has(id)) firstSeen.set(id, nowMs());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  scope.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, firstSeen, requests: () => requests };
}

/** Resolves when `count` distinct events have arrived since `from` (the Map is in arrival order). */
async function allDelivered(firstSeen: Map<string, number>, before: number, count: number, timeoutMs: number): Promise<number> {
  const deadline = nowMs() + timeoutMs;
  while (firstSeen.size < before + count) {
    if (nowMs() > deadline) throw new Error(`only ${firstSeen.size - before} of ${count} webhooks arrived`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Math.max(...[...firstSeen.values()].slice(before));
}

async function run(ctx: CaseContext) {
  const batches = ctx.quick ? 1 : 40;
  const rounds = ctx.quick ? 1 : 2;
  const receiver = await startReceiver(ctx.scope);
  const server = await startProduct(ctx, { env: { ...SLOTS_ENV, PUBLIC_URL: 'http://127.0.0.1', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' } });
  const plain: PipelineFigures[] = [];
  const hooked: PipelineFigures[] = [];
  const deliveredMs: number[] = [];
  // Alternated in one server, so a noisy neighbour hits both kinds alike.
  for (let round = 0; round < rounds; round++) {
    plain.push(await measurePipeline(ctx, server, [server.child], batches));
    const before = receiver.firstSeen.size;
    const figures = await measurePipeline(ctx, server, [server.child], batches, { fields: { webhook_url: receiver.url } });
    hooked.push(figures);
    const events = batches * FILES_PER_BATCH + batches; // a file.completed per file, a job.finished per job
    const last = await allDelivered(receiver.firstSeen, before, events, 60_000);
    deliveredMs.push(last - figures.startedAt);
    ctx.log(`round ${round + 1}: ${fmt(figures.filesPerSecond)} files/s with webhooks, ${fmt(plain.at(-1)?.filesPerSecond ?? 0)} without; all ${events} delivered ${fmt(last - figures.finishedAt)} ms after the last done`);
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const withHooks = mean(hooked.map((f) => f.filesPerSecond));
  const without = mean(plain.map((f) => f.filesPerSecond));
  const ratio = withHooks / without;
  const files = batches * FILES_PER_BATCH;
  const measures: Measure[] = [
    { what: `embedded: throughput with a webhook per file and job (${SLOTS_ENV.WORKER_CONCURRENCY} slots)`, ours: `${fmt(withHooks)} files/s`, baseline: `${fmt(without)} files/s without`, ratio: `${fmt(ratio, 2)}×`, target: '≥ 0.9×', verdict: verdict(ratio >= 0.9) },
    { what: `embedded: ${fmt(files)} completed files → every webhook delivered`, ours: `${fmt(mean(deliveredMs))} ms`, baseline: '—', ratio: '', target: '', verdict: 'reported' },
    { what: 'embedded: CPU per file with webhooks', ours: `${fmt(mean(hooked.map((f) => f.cpuPerFileMs)), 2)} ms`, baseline: `${fmt(mean(plain.map((f) => f.cpuPerFileMs)), 2)} ms without`, ratio: '', target: '', verdict: 'reported' },
    { what: 'receiver: requests per distinct event', ours: fmt(receiver.requests() / receiver.firstSeen.size, 3), baseline: '—', ratio: '', target: '1 (no retry against a 204)', verdict: verdict(receiver.requests() === receiver.firstSeen.size) },
  ];
  return {
    line: `webhooks: ${fmt(files)} files, ${fmt(withHooks)} files/s with webhooks vs ${fmt(without)} without (${fmt(ratio, 2)}×), every webhook delivered ${fmt(mean(deliveredMs))} ms after the release: ${summaryVerdict(measures)}`,
    measures,
    method:
      `The pipeline case's measurement (${batches} batches of ${FILES_PER_BATCH} small JPEGs queued behind held slots, instant bench provider, embedded mode, ` +
      `WORKER_CONCURRENCY=${SLOTS_ENV.WORKER_CONCURRENCY}), ${rounds} round(s) alternating batches without and with \`webhook_url\` in one server; ` +
      'the receiver is a bare node:http server in the runner answering 204 at once. Delivered = from the release to the first arrival of the last distinct event ' +
      '(a `file.completed` per file, a `job.finished` per job); throughput as in the pipeline case, averaged over the rounds.',
  };
}

const LIMITS = `
**What it costs.** Each final transition feeds the job (\`packages/core/src/webhooks/feed-webhooks.ts\`) on the main thread: the job and its log after the webhook cursor are read from memory, each delivery is one SQLite insert (WAL, \`synchronous=NORMAL\`), and the cursor rides along the job's next \`job.json\` write; the task does not wait for it. Sending (claims, records, signing, one connection per attempt) runs on the embedded server's sender thread (\`apps/server/src/process/webhook-sender.ts\`): on the main event loop it cost about 1.5 ms of CPU per file, a third of the pipeline's files/s, and with \`synchronous=FULL\` (an fsync per enqueue, claim and record on the loop) two thirds. The CPU per file above counts every thread of the server, so it still includes the sender's share; on a two-core host the sender competes with the generator threads for the cores.
`;

export const webhooksCase: BenchCase = {
  name: 'webhooks',
  budgetMs: { quick: 60_000, full: 240_000 },
  run,
  limits: LIMITS,
};
