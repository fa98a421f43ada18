import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error gltf-validator ships no type declarations
import { validateBytes } from 'gltf-validator';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, readEventStream, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

interface ValidationReport {
  issues: { numErrors: number; numWarnings: number; messages: unknown[] };
  info: { totalTriangleCount?: number };
}

describe('the local generator through /api/v1', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('turns uploaded photos into GLBs that pass the glTF validator, within the face limit', { timeout: 60_000 }, async () => {
    const files = [
      { name: 'disc.png', data: await makePhoto({ width: 640, height: 480 }) },
      { name: 'disc.jpg', data: await makePhoto({ width: 300, height: 500, format: 'jpeg', colour: '#2a7bd0' }) },
      { name: 'tiny.png', data: await makePhoto({ width: 1, height: 1 }) },
    ];
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files, fields: { face_limit: '2000' } });
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    const done = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    expect(done.status).toBe('completed');

    for (const file of done.files) {
      expect(file.model_task_id).toMatch(/^task_/);
      const model = await fetch(file.model_url ?? '');
      expect(model.headers.get('content-type')).toBe('model/gltf-binary');
      const glb = new Uint8Array(await model.arrayBuffer());
      const report = (await validateBytes(glb)) as ValidationReport;
      expect(report.issues.numErrors, `${file.filename}: ${JSON.stringify(report.issues.messages)}`).toBe(0);
      expect(report.issues.numWarnings, `${file.filename}: ${JSON.stringify(report.issues.messages)}`).toBe(0);
      expect(report.info.totalTriangleCount).toBeLessThanOrEqual(2000);
      expect(report.info.totalTriangleCount).toBeGreaterThan(0);

      const preview = await fetch(file.preview_url ?? '');
      expect(preview.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await preview.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    }

    const { events } = await readEventStream(server.api(`/status/stream/${job_id}`), { headers: auth(USER_KEY) });
    const progress = events.filter((e) => e.data.file_id === 'file_001' && e.data.type === 'progress').map((e) => e.data.progress as number);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });
});
