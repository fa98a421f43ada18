import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';
import { mugWithShadow, starOnWhite } from '@image2model/testing/synthetic-photos';

interface Report {
  watertight: boolean;
  manifold: boolean;
  shells: number;
  genus: number | null;
  volume_mm3: number | null;
  bbox_mm: { x: number; y: number; z: number };
  self_intersections: number;
  verdict: string;
  verdict_reasons: string[];
}

async function getJson(url: string, key: string | null = USER_KEY): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers: key ? auth(key) : {} });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the print-readiness report over HTTP (local generator, models on disk)', () => {
  let server: TestServer;
  let jobId: string;
  let sessionId: string;
  const reportUrl = (query = '', fileId = 'file_001') => server.api(`/download/${jobId}/${fileId}/report${query}`);
  const stored = () => server.runtime.storage.stat(`jobs/${jobId}/models/file_001.g1.report.json`);

  beforeAll(async () => {
    server = await startTestServer();
    const files = [
      { name: 'mug.png', data: await mugWithShadow(256) },
      { name: 'star.png', data: await starOnWhite(256) },
    ];
    const upload = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files, fields: { face_limit: '2000' } });
    ({ job_id: jobId, session_id: sessionId } = (await upload.json()) as { job_id: string; session_id: string });
    expect((await waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY)).status).toBe('completed');
  }, 120_000);
  afterAll(() => server?.stop());

  it("reports the local generator's models closed, manifold and printable, and stores the default-size report after the first request", async () => {
    expect(await stored()).toBeNull();
    const first = await getJson(reportUrl());
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ watertight: true, boundary_edges: 0, manifold: true, non_manifold_edges: 0, shells: 1, genus: 1, self_intersections: 0, verdict: 'printable', verdict_reasons: [] });
    const report = first.body as unknown as Report;
    expect(report.volume_mm3).toBeGreaterThan(0);
    expect(Math.max(report.bbox_mm.x, report.bbox_mm.y, report.bbox_mm.z)).toBeCloseTo(100, 2);
    expect(await stored()).not.toBeNull();
    // The second answer is the stored one.
    expect((await getJson(reportUrl())).body).toEqual(first.body);
    const star = await getJson(reportUrl('', 'file_002'));
    expect(star.body).toMatchObject({ watertight: true, manifold: true, genus: 0, verdict: 'printable' });
  });

  it('reports at another height_mm without storing it', async () => {
    const before = await server.runtime.storage.read(`jobs/${jobId}/models/file_001.g1.report.json`);
    const { status, body } = await getJson(reportUrl('?height_mm=42.5'));
    expect(status).toBe(200);
    expect((body as unknown as Report).bbox_mm.z).toBeCloseTo(42.5, 2);
    expect(await server.runtime.storage.read(`jobs/${jobId}/models/file_001.g1.report.json`)).toEqual(before);
  });

  it('answers 400 VALIDATION_ERROR for a bad height_mm, 404 for an unknown file or job, 401 without a key; the session_id reads it', async () => {
    for (const height of ['abc', '0', '-5', '20000']) {
      const { status, body } = await getJson(reportUrl(`?height_mm=${height}`));
      expect(status, height).toBe(400);
      expect(body).toMatchObject({ detail: { code: 'VALIDATION_ERROR' } });
    }
    expect(await getJson(reportUrl('', 'file_999'))).toMatchObject({ status: 404, body: { detail: { code: 'NOT_FOUND' } } });
    expect((await getJson(server.api('/download/batch_20990101_000000_aaaaaa/file_001/report'))).status).toBe(404);
    expect((await getJson(reportUrl(), null)).status).toBe(401);
    expect((await getJson(reportUrl(`?session_id=${sessionId}`), null)).body).toMatchObject({ manifold: true });
  });

  it('answers on /trpc as models.printReport', async () => {
    const input = encodeURIComponent(JSON.stringify({ json: { job_id: jobId, file_id: 'file_001', height_mm: 30 } }));
    const res = await fetch(`${server.url}/trpc/models.printReport?input=${input}`, { headers: auth(USER_KEY) });
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as { result: { data: { json: Report } } };
    expect(result.data.json).toMatchObject({ watertight: true, manifold: true, verdict: 'printable' });
    expect(result.data.json.bbox_mm.z).toBeCloseTo(30, 2);
  });

  it('deletes the stored report with the job', async () => {
    expect(await stored()).not.toBeNull();
    const cleanup = await fetch(server.api('/admin/cleanup'), { method: 'POST', headers: { ...auth(ADMIN_KEY), 'Content-Type': 'application/json' }, body: JSON.stringify({ older_than_hours: 0 }) });
    expect(cleanup.status).toBe(200);
    expect(await stored()).toBeNull();
  });
});
