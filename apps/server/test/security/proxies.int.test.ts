import { afterEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { auth, uploadBatch, waitForJobStatus, type JobStatusBody } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';

const PER_MINUTE = 3;
const from = (address: string, extra: Record<string, string> = {}) => ({ 'X-Forwarded-For': address, ...extra });

describe('behind a load balancer (TRUST_PROXY)', { timeout: 60_000 }, () => {
  let server: TestServer;
  afterEach(() => server.stop());

  async function statuses(headers: Record<string, string>, n: number): Promise<number[]> {
    const seen: number[] = [];
    for (let i = 0; i < n; i++) seen.push((await fetch(server.api('/status/batch_20990101_000000_aaaaaa'), { headers })).status);
    return seen;
  }

  async function modelUrl(headers: Record<string, string>): Promise<string> {
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }] });
    const { job_id } = (await res.json()) as { job_id: string };
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    const status = (await (await fetch(server.api(`/status/${job_id}`), { headers: { ...auth(USER_KEY), ...headers } })).json()) as JobStatusBody;
    return status.files[0]?.model_url ?? '';
  }

  it('with TRUST_PROXY=loopback: limits each forwarded client apart, and IPv6 clients per /64', async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { TRUST_PROXY: 'loopback', RATE_LIMIT_PER_MINUTE: String(PER_MINUTE) } });
    expect(await statuses(from('203.0.113.7'), PER_MINUTE + 1)).toEqual([401, 401, 401, 429]);
    expect(await statuses(from('203.0.113.8'), 1)).toEqual([401]);
    // A client's own X-Forwarded-For is the leftmost entry; the proxy's append is what counts.
    expect(await statuses(from('198.51.100.1, 203.0.113.7'), 1)).toEqual([429]);

    expect(await statuses(from('2001:db8:1:2::1'), PER_MINUTE)).toEqual([401, 401, 401]);
    expect(await statuses(from('2001:db8:1:2:ffff:ffff:ffff:ffff'), 1)).toEqual([429]);
    expect(await statuses(from('2001:db8:1:3::1'), 1)).toEqual([401]);
  });

  it('with TRUST_PROXY=1: model_url takes the forwarded scheme', async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { TRUST_PROXY: '1' } });
    expect(await modelUrl({ 'X-Forwarded-Proto': 'https' })).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${server.port}/api/v1/download/`));
  });

  it('without TRUST_PROXY: X-Forwarded-For is ignored', async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { RATE_LIMIT_PER_MINUTE: String(PER_MINUTE) } });
    expect(await statuses(from('203.0.113.7'), PER_MINUTE)).toEqual([401, 401, 401]);
    expect(await statuses(from('203.0.113.8'), 1)).toEqual([429]);
  });

  it('without TRUST_PROXY: X-Forwarded-Proto is ignored', async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
    expect(await modelUrl({ 'X-Forwarded-Proto': 'https' })).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/api/v1/download/`));
  });
});
