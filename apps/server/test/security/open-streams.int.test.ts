import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, OTHER_USER_KEY, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitFor } from '@image2model/testing/http';

const LIMIT = 20;

interface OpenResponse {
  status: number;
  body: Promise<string>;
  close(): void;
}

/** A GET whose answer is held open: resolves at the status line, the body is read in the background. */
function openGet(url: string, opts: { headers?: Record<string, string>; localAddress?: string } = {}): Promise<OpenResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: opts.headers, agent: false, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      const body = new Promise<string>((settle) => {
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => settle(Buffer.concat(chunks).toString('utf8')));
        res.on('close', () => settle(Buffer.concat(chunks).toString('utf8')));
        res.on('error', () => undefined);
      });
      resolve({ status: res.statusCode ?? 0, body, close: () => req.destroy() });
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end();
  });
}

const streamsBody = { detail: { code: 'RATE_LIMIT_EXCEEDED', message: expect.any(String), details: { reason: 'streams', limit: LIMIT, retry_after: expect.any(Number) } } };

describe('open event streams and downloads per key', () => {
  let server: TestServer;
  let provider: FakeModelProvider;
  let jobId: string;
  let sessionId: string;

  beforeAll(async () => {
    provider = new FakeModelProvider();
    provider.hold(); // the job stays processing, so its streams stay open
    // Frequent heartbeats: a stream whose client left is noticed (and its slot freed) at the next write.
    server = await startTestServer({ provider, env: { MAX_STREAMS_PER_KEY: String(LIMIT) }, heartbeatMs: 100 });
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }] });
    ({ job_id: jobId, session_id: sessionId } = (await res.json()) as { job_id: string; session_id: string });
  }, 60_000);
  afterAll(async () => {
    provider?.release();
    await server?.stop();
  });

  it(`accepts ${LIMIT} of 30 streams on one key; the other 10 get 429 reason "streams"; closing frees slots`, { timeout: 30_000 }, async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => openGet(server.api(`/status/stream/${jobId}`), { headers: auth(USER_KEY) })));
    const accepted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(accepted).toHaveLength(LIMIT);
    expect(refused).toHaveLength(10);
    for (const answer of refused) expect(JSON.parse(await answer.body)).toEqual(streamsBody);

    // Downloads share the count; the tRPC subscription too (in tRPC's error shape); another key does not.
    const download = await openGet(server.api(`/download/${jobId}/all`), { headers: auth(USER_KEY) });
    expect(download.status).toBe(429);
    expect(JSON.parse(await download.body)).toEqual(streamsBody);
    const input = encodeURIComponent(JSON.stringify({ json: { job_id: jobId } }));
    const trpc = await openGet(`${server.url}/trpc/status.onEvents?input=${input}`, { headers: auth(USER_KEY) });
    expect(trpc.status).toBe(429);
    expect(JSON.parse(await trpc.body)).toMatchObject({ error: { json: { data: { appCode: 'RATE_LIMIT_EXCEEDED', httpStatus: 429 } } } });
    const other = await openGet(server.api(`/status/stream/${jobId}`), { headers: auth(OTHER_USER_KEY) });
    expect(other.status).toBe(404); // not its job, but not refused for the first key's streams
    await other.body;

    for (const answer of accepted.slice(0, 5)) answer.close();
    const again: OpenResponse[] = [];
    await waitFor(async () => {
      const answer = await openGet(server.api(`/status/stream/${jobId}`), { headers: auth(USER_KEY) });
      if (answer.status === 200) again.push(answer);
      return again.length === 5 ? true : undefined;
    }, { timeoutMs: 5000, what: 'five freed slots' });
    expect((await openGet(server.api(`/status/stream/${jobId}`), { headers: auth(USER_KEY) })).status).toBe(429);
    for (const answer of [...accepted, ...again]) answer.close();
  });

  it('counts session_id access per client IP', { timeout: 30_000 }, async () => {
    const url = server.api(`/status/stream/${jobId}?session_id=${sessionId}`);
    const fromOne = await Promise.all(Array.from({ length: LIMIT + 1 }, () => openGet(url, { localAddress: '127.0.0.2' })));
    expect(fromOne.filter((a) => a.status === 200)).toHaveLength(LIMIT);
    const refused = fromOne.find((a) => a.status === 429);
    expect(JSON.parse((await refused?.body) ?? '{}')).toEqual(streamsBody);
    const fromTwo = await openGet(url, { localAddress: '127.0.0.3' });
    expect(fromTwo.status).toBe(200);
    // The key's own budget is not the address's.
    const withKey = await openGet(server.api(`/status/stream/${jobId}`), { headers: auth(OTHER_USER_KEY), localAddress: '127.0.0.2' });
    expect(withKey.status).toBe(404); // not its job: answered, not refused for the address's streams
    for (const answer of [...fromOne, fromTwo, withKey]) answer.close();
  });
});
