import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, ADMIN_KEY, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

const forbidden = { detail: { code: 'INVALID_API_KEY', message: expect.any(String), details: {} } };
const unauthenticated = { detail: { code: 'AUTHENTICATION_REQUIRED', message: expect.any(String), details: {} } };

describe('admin and logs', () => {
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

  const cleanup = (body: unknown, key = ADMIN_KEY) =>
    fetch(server.api('/admin/cleanup'), { method: 'POST', headers: { ...auth(key), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('reports the real machine and job counts to an admin key', async () => {
    await finishedJob();
    const res = await fetch(server.api('/admin/system-info'), { headers: auth(ADMIN_KEY) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { system: { platform: string; cpu_count: number; memory: Record<string, number>; disk: Record<string, number> }; jobs: Record<string, number> };
    expect(body.system.platform).toBe(process.platform);
    expect(body.system.cpu_count).toBeGreaterThan(0);
    expect(body.system.memory.total).toBeGreaterThan(body.system.memory.available ?? Infinity);
    expect(body.system.disk.used).toBeLessThanOrEqual(body.system.disk.total ?? 0);
    expect(body.system.disk.free).toBeLessThanOrEqual(body.system.disk.total ?? 0);
    expect(body.system.disk.percent).toBeGreaterThan(0);
    expect(body.jobs).toEqual({ active: 0, completed: 1, failed: 0, partial: 0, cancelled: 0 });
  });

  it('answers 403 INVALID_API_KEY to a user key and 401 to none or a wrong one, on every admin route', async () => {
    for (const [path, init] of [
      ['/admin/system-info', {}],
      ['/logs', {}],
      ['/admin/cleanup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }],
    ] as const) {
      const asUser = await fetch(server.api(path), { ...init, headers: { ...init.headers, ...auth(USER_KEY) } });
      expect(asUser.status, path).toBe(403);
      expect(await asUser.json()).toEqual(forbidden);
      const anonymous = await fetch(server.api(path), init);
      expect(anonymous.status, path).toBe(401);
      expect(await anonymous.json()).toEqual(unauthenticated);
      const wrong = await fetch(server.api(path), { ...init, headers: { ...init.headers, ...auth('wrong') } });
      expect(wrong.status, path).toBe(401);
    }
  });

  it('cleans finished jobs older than the threshold with their files, and reports what it freed', async () => {
    const jobId = await finishedJob();
    const young = await cleanup({ older_than_hours: 1 });
    expect(await young.json()).toEqual({ cleaned_files: 0, freed_space_mb: 0 });
    const res = await cleanup({ older_than_hours: 0 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { cleaned_files: number; freed_space_mb: number };
    expect(body.cleaned_files).toBeGreaterThanOrEqual(2);
    expect(body.freed_space_mb).toBeGreaterThanOrEqual(0);
    expect(existsSync(join(server.dataDir, 'jobs', jobId))).toBe(false);
    const gone = await fetch(server.api(`/status/${jobId}`), { headers: auth(USER_KEY) });
    expect(gone.status).toBe(404);
  });

  it('never cleans a job that is still processing', async () => {
    provider.hold();
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }] });
    const { job_id } = (await res.json()) as { job_id: string };
    await cleanup({ older_than_hours: 0 });
    expect((await fetch(server.api(`/status/${job_id}`), { headers: auth(USER_KEY) })).status).toBe(200);
    provider.release();
  });

  it('takes a bodyless cleanup as the default and rejects bad thresholds', async () => {
    const bodyless = await fetch(server.api('/admin/cleanup'), { method: 'POST', headers: auth(ADMIN_KEY) });
    expect(bodyless.status).toBe(200);
    for (const value of ['abc', -1, null, '24']) {
      const res = await cleanup({ older_than_hours: value });
      expect(res.status, String(value)).toBe(400);
      expect(((await res.json()) as { detail: { code: string } }).detail.code).toBe('VALIDATION_ERROR');
    }
  });

  it('returns structured logs filtered by lines, minimum level and since, with correlation ids', async () => {
    const traced = await fetch(server.api('/status/batch_20990101_000000_aaaaaa'), { headers: { ...auth(USER_KEY), 'X-Request-ID': 'trace-me-123' } });
    expect(traced.headers.get('x-request-id')).toBe('trace-me-123');
    const generated = await fetch(server.api('/health'));
    expect(generated.headers.get('x-request-id')).toMatch(/^req_/);

    const res = await fetch(server.api('/logs?lines=1000'), { headers: auth(ADMIN_KEY) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { logs: { timestamp: string; level: string; message: string; correlation_id: string | null }[]; total_lines: number };
    expect(body.total_lines).toBe(body.logs.length);
    const entry = body.logs.find((e) => e.correlation_id === 'trace-me-123');
    expect(entry).toMatchObject({ level: 'INFO', message: expect.stringContaining('/api/v1/status/') });
    expect(Number.isNaN(Date.parse(entry?.timestamp ?? ''))).toBe(false);

    const one = (await (await fetch(server.api('/logs?lines=1'), { headers: auth(ADMIN_KEY) })).json()) as { logs: unknown[] };
    expect(one.logs).toHaveLength(1);
    const future = (await (await fetch(server.api(`/logs?since=${new Date(Date.now() + 60_000).toISOString()}`), { headers: auth(ADMIN_KEY) })).json()) as { logs: unknown[] };
    expect(future.logs).toEqual([]);
    const warnings = (await (await fetch(server.api('/logs?level=WARNING&lines=1000'), { headers: auth(ADMIN_KEY) })).json()) as { logs: { level: string }[] };
    expect(warnings.logs.every((e) => e.level === 'WARNING' || e.level === 'ERROR')).toBe(true);
    const lowercase = await fetch(server.api('/logs?level=warn'), { headers: auth(ADMIN_KEY) });
    expect(lowercase.status).toBe(200);
    const sinceDate = await fetch(server.api('/logs?since=2000-01-01'), { headers: auth(ADMIN_KEY) });
    expect(((await sinceDate.json()) as { logs: unknown[] }).logs.length).toBeGreaterThan(0);
    const debug = (await (await fetch(server.api('/logs?level=DEBUG&lines=1000'), { headers: auth(ADMIN_KEY) })).json()) as { logs: { level: string }[] };
    expect(debug.logs.some((e) => e.level === 'DEBUG')).toBe(true);
  });

  it('rejects bad log queries with 400', async () => {
    for (const query of ['level=LOUD', 'lines=0', 'lines=abc', 'since=yesterday', 'since=2024-13-45T99:00:00Z']) {
      const res = await fetch(server.api(`/logs?${query}`), { headers: auth(ADMIN_KEY) });
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { detail: { code: string } }).detail.code).toBe('VALIDATION_ERROR');
    }
  });

  it('never writes an API key into the logs', async () => {
    await finishedJob();
    await fetch(server.api(`/status/x?key=${USER_KEY}`), { headers: auth(USER_KEY) });
    await fetch(server.api('/status/x'), { headers: auth('some-wrong-secret-key') });
    const logs = await (await fetch(server.api('/logs?lines=10000&level=DEBUG'), { headers: auth(ADMIN_KEY) })).text();
    const everything = [...server.logLines, logs].join('\n');
    expect(everything).not.toContain(USER_KEY);
    expect(everything).not.toContain(ADMIN_KEY);
    expect(everything).not.toContain('some-wrong-secret-key');
  });
});
