import { Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { residentBytes } from '@image2model/testing/hostile-uploads';

const MiB = 1024 * 1024;
const REQUESTS = 10_000;
/** The documented bound (RELIABILITY.md): RSS growth of the server over the storm. */
const MAX_RSS_GROWTH = 50 * MiB;
/** Just under Node's 16 KiB header limit with the request line and our few headers: parsed, not a 431. */
const PATH_CHARS = 15_900;
const ADMIN_KEY = 'log-memory-admin-key';
const CLIENTS = 4;
/**
 * Requests before the baseline, which is the RSS peak over them: what the first requests load,
 * and the heap V8 grows to for this much garbage (each request makes several 16 KB strings), are
 * in the baseline; what the service keeps of each request is not. RSS climbs for about the first
 * 7,000 such requests (from about 200 to 300 MiB here, logged or not) and then stays flat. Before
 * the fix the log ring alone kept 32 KB a request, 64 MB more over the 2,000 requests that fill
 * it; the messages /logs shows are checked for length as well.
 */
const WARM_UP = 8_000;

const longPath = (prefix: string) => `${prefix}${randomBytes(PATH_CHARS).toString('base64url').slice(0, PATH_CHARS - prefix.length)}`;
const PREFIXES = ['/', '/api/v1/', '/trpc/', '/api/v1/status/'];

function get(agent: Agent, url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('long junk paths do not fill the log memory (child server)', { timeout: 180_000 }, () => {
  let dataDir: string;
  let server: ChildServer;
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-logmem-'));
    server = await startChildServer({
      DATA_DIR: dataDir,
      ADMIN_API_KEYS: ADMIN_KEY,
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_HOUR: '1000000',
      // Every access line reaches the in-memory ring (and stdout), the worst case for this storm.
      LOG_LEVEL: 'debug',
    });
  });
  afterAll(async () => {
    agent.destroy();
    if (server?.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it(`keeps RSS growth under ${MAX_RSS_GROWTH / MiB} MiB over ${REQUESTS.toLocaleString('en')} requests with ${PATH_CHARS.toLocaleString('en')}-character paths`, async () => {
    const pid = server.child.pid as number;
    const statuses = new Map<number, number>();
    let sent = 0;
    const storm = async (count: number) => {
      const target = sent + count;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (sent < target) {
            const prefix = PREFIXES[sent++ % PREFIXES.length] as string;
            const { status } = await get(agent, server.url, longPath(prefix));
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          }
        }),
      );
    };
    const samples: number[] = [];
    const sampler = setInterval(() => {
      residentBytes(pid).then((rss) => samples.push(rss), () => undefined);
    }, 200);
    let idle: number;
    try {
      await storm(WARM_UP);
      samples.push(await residentBytes(pid));
      idle = Math.max(...samples);
      samples.length = 0;
      await storm(REQUESTS);
    } finally {
      clearInterval(sampler);
    }
    samples.push(await residentBytes(pid));
    const peak = Math.max(...samples);
    console.log(`log storm: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, RSS peak over the warm-up ${(idle / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB, growth ${((peak - idle) / MiB).toFixed(0)} MiB`);

    // 401 for `/api/v1/status/<long id>` without a key (a real route), 404 for everything else.
    expect([...statuses.keys()].filter((status) => status !== 404 && status !== 401)).toEqual([]);
    expect(peak - idle).toBeLessThan(MAX_RSS_GROWTH);

    // What /logs keeps of them is short: a cut path, at debug.
    const logs = await get(agent, server.url, '/api/v1/logs?lines=1000', { Authorization: `Bearer ${ADMIN_KEY}` });
    expect(logs.status).toBe(200);
    const entries = (JSON.parse(logs.body) as { logs: { level: string; message: string }[] }).logs;
    const junkLines = entries.filter((entry) => / 404 /.test(entry.message));
    expect(junkLines.length).toBeGreaterThan(100);
    for (const entry of junkLines) expect(entry.level).toBe('DEBUG');
    expect(Math.max(...entries.map((entry) => entry.message.length))).toBeLessThan(1_000);
  });
});
