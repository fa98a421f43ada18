import { FakeModelProvider } from '@image2model/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../src/metrics/metrics.js';
import { ADMIN_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';

describe('GET /metrics (embedded mode)', () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it('serves Prometheus text to an admin key, 401 without a key and 403 to a user key', async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }] });
    const { job_id } = (await res.json()) as { job_id: string };
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);

    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const user = await fetch(`${server.url}/metrics`, { headers: auth(USER_KEY) });
    expect(user.status).toBe(403);
    expect(await user.json()).toEqual({ detail: { code: 'INVALID_API_KEY', message: expect.any(String), details: {} } });
    const scrape = await fetch(`${server.url}/metrics`, { headers: auth(ADMIN_KEY) });
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    for (const name of METRIC_NAMES) expect(text, name).toContain(`# TYPE ${name} `);
    expect(text).toMatch(/image2model_file_generation_duration_seconds_count\{(?=[^}]*outcome="completed")[^}]*\} 1\b/);
    expect(text).toMatch(/image2model_http_request_duration_seconds_count\{(?=[^}]*route="\/api\/v1\/status\/\{job_id\}")[^}]*\}/);
    expect(text).toMatch(/image2model_queue_jobs\{(?=[^}]*state="waiting")[^}]*\} 0\b/);
    expect(text).not.toContain(job_id); // ids never become labels
  });

  it('serves the same metrics without a key on METRICS_PORT, and counts rate-limit rejections', async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { METRICS_PORT: '0', RATE_LIMIT_PER_MINUTE: '1' } });
    expect(server.metricsPort).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await fetch(server.api('/status/batch_20990101_000000_aaaaaa'), { headers: auth(USER_KEY) });
    const res = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/image2model_rate_limit_rejections_total\{(?=[^}]*window="minute")[^}]*\} 2\b/);
    expect((await fetch(`http://127.0.0.1:${server.metricsPort}/other`)).status).toBe(404);
  });
});
