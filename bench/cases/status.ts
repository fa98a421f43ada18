import autocannon from 'autocannon';
import type { BenchCase, CaseContext, Measure } from '../lib/case.js';
import { summaryVerdict, verdict } from '../lib/case.js';
import { auth, getJson, uploadBatch } from '../lib/http.js';
import { tinyPhoto } from '../lib/images.js';
import { startProduct, waitForJob } from '../lib/product.js';
import { cpuDuring } from '../lib/cpu.js';
import { fmt, fmtRatio, median, sum } from '../lib/stats.js';

const CONNECTIONS = 50;

interface Target {
  name: 'REST' | 'tRPC' | 'bare';
  url: string;
  headers: Record<string, string>;
}

interface Run {
  requests: number;
  seconds: number;
  p99: number;
  /** CPU the server process used during the run. */
  cpuMs: number;
}

/** One autocannon run; anything but a 2xx answer (or a socket error) fails the case. */
async function load(target: Target, seconds: number, serverPid: number): Promise<Run> {
  const { value: result, cpuMs } = await cpuDuring(serverPid, () => autocannon({ url: target.url, headers: target.headers, connections: CONNECTIONS, duration: seconds }));
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${target.name} ${target.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { requests: result['2xx'], seconds: result.duration, p99: result.latency.p99, cpuMs };
}

/** The REST and tRPC answers carry the same object as the bare route (URLs differ only by port). */
async function checkSameObject(rest: Target, trpc: Target, bare: Target): Promise<void> {
  const strip = (body: unknown) => JSON.stringify(body).replace(/127\.0\.0\.1:\d+/g, 'HOST');
  const restBody = strip(await getJson(rest.url, rest.headers));
  const trpcBody = strip((await getJson<{ result: { data: { json: unknown } } }>(trpc.url, trpc.headers)).result.data.json);
  const bareBody = strip(await getJson(bare.url));
  if (restBody !== bareBody || trpcBody !== bareBody) throw new Error(`status bodies differ:\nREST ${restBody}\ntRPC ${trpcBody}\nbare ${bareBody}`);
}

async function run(ctx: CaseContext) {
  const rounds = ctx.quick ? 1 : 3;
  const seconds = ctx.quick ? 1 : 5;
  const server = await startProduct(ctx);
  const photo = await tinyPhoto();
  const upload = await uploadBatch(server.api, server.key, Array.from({ length: ctx.quick ? 5 : 25 }, (_, i) => ({ name: `photo-${i + 1}.jpg`, data: photo, type: 'image/jpeg' })));
  await waitForJob(server, upload.job_id);
  const bareUrl = await server.child.call<string>('bare-status');

  const input = encodeURIComponent(JSON.stringify({ json: { job_id: upload.job_id } }));
  const targets: Target[] = [
    { name: 'REST', url: `${server.api}/status/${upload.job_id}`, headers: auth(server.key) },
    { name: 'tRPC', url: `${server.url}/trpc/status.get?input=${input}`, headers: auth(server.key) },
    { name: 'bare', url: `${bareUrl}/status/${upload.job_id}`, headers: {} },
  ];
  const [rest, trpc, bare] = targets as [Target, Target, Target];
  await checkSameObject(rest, trpc, bare);

  for (const target of targets) await load(target, ctx.quick ? 0.5 : 1, server.pid); // warm-up: JIT, connection pools
  const runs = new Map<Target['name'], Run[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round, so no target always runs first or last.
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(round + i) % targets.length] as Target;
      ctx.log(`status round ${round + 1}: ${target.name}`);
      runs.get(target.name)?.push(await load(target, seconds, server.pid));
    }
  }
  const summary = (name: Target['name']) => {
    const list = runs.get(name) ?? [];
    const requests = sum(list.map((r) => r.requests));
    return { rps: requests / sum(list.map((r) => r.seconds)), p99: median(list.map((r) => r.p99)), cpuUs: (1000 * sum(list.map((r) => r.cpuMs))) / requests };
  };
  const base = summary('bare');
  const measures: Measure[] = [];
  const parts: string[] = [];
  for (const name of ['REST', 'tRPC'] as const) {
    const ours = summary(name);
    const rpsRatio = ours.rps / base.rps;
    const p99Ratio = ours.p99 / base.p99;
    measures.push(
      { what: `${name} requests/s`, ours: fmt(ours.rps), baseline: fmt(base.rps), ratio: fmtRatio(rpsRatio), target: '≥ 0.6×', verdict: verdict(rpsRatio >= 0.6) },
      { what: `${name} p99 latency`, ours: `${fmt(ours.p99)} ms`, baseline: `${fmt(base.p99)} ms`, ratio: fmtRatio(p99Ratio), target: '≤ 3×', verdict: verdict(p99Ratio <= 3) },
      { what: `${name} server CPU per request`, ours: `${fmt(ours.cpuUs)} µs`, baseline: `${fmt(base.cpuUs)} µs`, ratio: fmtRatio(ours.cpuUs / base.cpuUs), target: '', verdict: 'reported' },
    );
    parts.push(`${name} ${fmt(ours.rps)} req/s (${fmtRatio(rpsRatio)}), p99 ${fmt(ours.p99)} ms (${fmtRatio(p99Ratio)}), ${fmt(ours.cpuUs)} µs CPU (${fmtRatio(ours.cpuUs / base.cpuUs)})`);
  }
  return {
    line: `status: ${parts.join('; ')} vs bare ${fmt(base.rps)} req/s, p99 ${fmt(base.p99)} ms, ${fmt(base.cpuUs)} µs: ${summaryVerdict(measures)}`,
    measures,
    method: `A completed ${ctx.quick ? 5 : 25}-file job; autocannon (in the runner process, the server in its own) with ${CONNECTIONS} connections, ${rounds} round(s) of ${seconds} s per target, order rotated each round, after a 1 s warm-up each. req/s = all 2xx answers / all seconds; p99 = median of the rounds' p99; CPU per request = the server process's CPU time (/proc, every thread) / its answers, the figure least moved by other work on the machine.`,
  };
}

const LIMITS = `
**What limits it.** Not the store read: the bare route pays the same \`FsJobStore.get\` (a \`structuredClone\` of the whole job). The gap is per-request work around it, spread thinly over the middleware chain, with no single hot spot (profile of 15 s of REST at 50 connections, \`--cpu-prof\`, summarised with \`bench/tools/profile-summary.ts\`). Ours to remove, largest first:
1. **A WHATWG \`Request\` per call.** trpc-to-openapi's node handler builds an undici \`Request\` (\`Headers\`, webidl conversions, an \`AbortController\`) through \`incomingMessageToRequest\` only to take its \`signal\` (\`getRequestSignal\`, utils/method.mjs); on \`/trpc\` the tRPC Express adapter does the same and answers through a fetch \`Response\` (\`resolveResponse\`). Creating an \`AbortSignal\` is costly on Node 20 (\`makeTransferable\` shows up by itself).
2. **The access log's second copy.** Every request logs one pino line, written synchronously, which \`LogBuffer\` then parses back with \`JSON.parse\` (\`toLogEntry\`) and stores with \`splice(0, 1)\` on a 10,000-entry array once the buffer is full: an O(n) shift per request.
3. **\`AsyncLocalStorage.run\` around every request** (the correlation id in logs). On Node 20 it switches on async_hooks promise hooks, which tax every promise tRPC and the middlewares create (\`promiseInitHook\`, \`emitInitNative\`, \`lookupPublicResource\` in the profiles).
4. On \`/trpc\` only: superjson walks the JSON-native 25-file object (\`walker\`, \`forEach\`), which is why tRPC trails REST; zod validates the output on both.
5. Smaller: helmet's dozen headers (\`setHeader\`), a sha-256 of the API key and \`randomBytes\` for the request id per request, two rate-limiter promises, ~20 router layers before the route.

**Proposed fix** (product code, for the lead): answer the hot \`GET /status/{job_id}\` through a server-side caller, as the SSE route already does, instead of trpc-to-openapi's generic handler (same procedure, schemas and errors; no \`Request\` object); make \`LogBuffer\` a ring buffer that keeps raw lines and parses them only when \`/logs\` is read; carry the request id in a pino child logger instead of the ALS mixin (or run Node ≥ 22, where AsyncContextFrame makes ALS cheap). Items 1–3 are most of REST's extra CPU per request. Note that every absolute figure on this host is several times below an idle core: the bare Express route alone costs 0.35–1.2 ms of CPU per request here.
`;

export const statusCase: BenchCase = {
  name: 'status',
  budgetMs: { quick: 30_000, full: 90_000 },
  run,
  limits: LIMITS,
};
