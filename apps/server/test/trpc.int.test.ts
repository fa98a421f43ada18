import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import { EventSource } from 'eventsource';
import superjson from 'superjson';
import type { AppRouter } from '@image2model/api';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, ADMIN_KEY, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, readEventStream, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

function createClient(url: string, key: string) {
  const headers = auth(key);
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: `${url}/trpc`,
          transformer: superjson,
          EventSource,
          eventSourceOptions: () => ({ fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers } }) }),
        }),
        false: httpBatchLink({ url: `${url}/trpc`, transformer: superjson, headers }),
      }),
    ],
  });
}

describe('/trpc serves the same router', () => {
  let server: TestServer;
  let provider: FakeModelProvider;

  beforeEach(async () => {
    provider = new FakeModelProvider();
    server = await startTestServer({ provider });
  });
  afterEach(() => server.stop());

  async function finishedJob() {
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }] });
    const { job_id } = (await res.json()) as { job_id: string };
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    return job_id;
  }

  it('answers queries with exactly what REST answers', async () => {
    const jobId = await finishedJob();
    const client = createClient(server.url, USER_KEY);
    const viaTrpc = await client.status.get.query({ job_id: jobId });
    const viaRest = await (await fetch(server.api(`/status/${jobId}`), { headers: auth(USER_KEY) })).json();
    expect(viaTrpc).toEqual(viaRest);
    expect(await client.health.get.query()).toEqual({ status: 'healthy' });
    expect(await client.health.ready.query()).toMatchObject({ status: 'ready' });
  });

  it('runs mutations and admin procedures', async () => {
    const jobId = await finishedJob();
    const client = createClient(server.url, USER_KEY);
    const retried = await client.models.generateSingle.mutate({ job_id: jobId, file_id: 'file_001', face_limit: 500 });
    expect(retried).toMatchObject({ job_id: jobId, file_id: 'file_001', status: 'processing' });
    const admin = createClient(server.url, ADMIN_KEY);
    const info = await admin.admin.systemInfo.query();
    expect(info.jobs.completed + info.jobs.active).toBe(1);
  });

  it("carries the spec's code and HTTP status on errors", async () => {
    const client = createClient(server.url, USER_KEY);
    const error = await client.status.get.query({ job_id: 'batch_20990101_000000_aaaaaa' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, appCode: 'NOT_FOUND' });
    const forbidden = await client.admin.systemInfo.query().catch((e: unknown) => e);
    expect((forbidden as TRPCClientError<AppRouter>).data).toMatchObject({ httpStatus: 403, appCode: 'INVALID_API_KEY' });
    const invalid = await client.models.generateSingle.mutate({ job_id: 'x', file_id: 'file_001', face_limit: 1 }).catch((e: unknown) => e);
    expect((invalid as TRPCClientError<AppRouter>).data).toMatchObject({ httpStatus: 400, appCode: 'VALIDATION_ERROR', details: { issues: expect.any(Array) } });
    expect((invalid as Error).message).toMatch(/^Invalid request parameters/);
  });

  it('answers a refused access rule with its own tRPC code and HTTP status', async () => {
    const input = encodeURIComponent(JSON.stringify({ json: { job_id: 'batch_20990101_000000_aaaaaa' } }));
    const refusals = [
      [await fetch(`${server.url}/trpc/status.get?input=${input}`), 'UNAUTHORIZED', 401],
      [
        await fetch(`${server.url}/trpc/models.generateSingle`, {
          method: 'POST',
          headers: { ...auth('not-a-key'), 'Content-Type': 'application/json' },
          body: JSON.stringify({ json: { job_id: 'batch_20990101_000000_aaaaaa', file_id: 'file_001' } }),
        }),
        'UNAUTHORIZED',
        401,
      ],
      [await fetch(`${server.url}/trpc/admin.systemInfo`, { headers: auth(USER_KEY) }), 'FORBIDDEN', 403],
    ] as const;
    for (const [res, code, status] of refusals) {
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { json: { data: { code: string; httpStatus: number } } } };
      expect(body.error.json.data).toMatchObject({ code, httpStatus: status });
    }
  });

  it('streams the same events through the subscription as the REST SSE endpoint', async () => {
    const jobId = await finishedJob();
    const client = createClient(server.url, USER_KEY);
    const received = await new Promise<unknown[]>((resolve, reject) => {
      const events: unknown[] = [];
      const subscription = client.status.onEvents.subscribe(
        { job_id: jobId },
        {
          onData: (event) => {
            events.push(event.data);
            if (event.data.type === 'done') {
              subscription.unsubscribe();
              resolve(events);
            }
          },
          onError: reject,
        },
      );
    });
    const rest = await readEventStream(server.api(`/status/stream/${jobId}`), { headers: auth(USER_KEY) });
    expect(received).toEqual(rest.events.map((e) => e.data));
    expect(received.length).toBeGreaterThan(2);
  });
});
