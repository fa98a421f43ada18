import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

describe('access log at LOG_LEVEL=info', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { LOG_LEVEL: 'info' } });
  });
  afterAll(() => server.stop());

  const accessLines = () => server.logLines.map((line) => JSON.parse(line) as { msg: string; path?: string; status?: number; correlation_id?: string }).filter((entry) => entry.status !== undefined);

  it('logs what happened (uploads, failed polls) with its request id, but not routine polls', async () => {
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }] });
    const { job_id } = (await res.json()) as { job_id: string };
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    await fetch(server.api(`/status/${job_id}`), { headers: auth(USER_KEY) });
    await fetch(`${server.url}/trpc/status.get?input=${encodeURIComponent(JSON.stringify({ json: { job_id } }))}`, { headers: auth(USER_KEY) });
    await fetch(server.api('/health'));
    await fetch(server.api('/status/batch_unknown'), { headers: auth(USER_KEY) });

    await expect.poll(() => accessLines().some((e) => e.path === '/api/v1/status/batch_unknown')).toBe(true);
    const lines = accessLines();
    const upload = lines.find((e) => e.path === '/api/v1/upload/batch');
    expect(upload).toMatchObject({ status: 200, correlation_id: res.headers.get('x-request-id') });
    expect(lines.find((e) => e.path === '/api/v1/status/batch_unknown')).toMatchObject({ status: 404 });
    expect(lines.filter((e) => e.path === `/api/v1/status/${job_id}` || e.path === '/trpc/status.get' || e.path === '/api/v1/health')).toEqual([]);
  });

  it('leaves 404s on paths that are no route to debug, and cuts long paths', async () => {
    const long = 'x'.repeat(15_000);
    await fetch(`${server.url}/wp-login.php`);
    await fetch(`${server.url}/trpc/no.such.procedure`);
    await fetch(server.api(`/status/${long}`)); // a real route without a key: 401, at info
    await expect.poll(() => accessLines().some((e) => e.status === 401)).toBe(true);
    const lines = accessLines();
    expect(lines.filter((e) => e.path === '/wp-login.php' || e.path === '/trpc/no.such.procedure')).toEqual([]);
    const cut = lines.find((e) => e.status === 401);
    expect(cut?.path).toBe(`/api/v1/status/${'x'.repeat(200 - '/api/v1/status/'.length)}...`);
    expect(cut?.msg.length).toBeLessThan(300);
  });
});
