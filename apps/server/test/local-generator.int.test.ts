import { readFile } from 'node:fs/promises';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error gltf-validator ships no type declarations
import { validateBytes } from 'gltf-validator';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { bottleWithAlpha } from '@image2model/testing/synthetic-photos';
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

  it('says how each model was made: a busy photo becomes a card with BACKGROUND_NOT_SEPARATED, a bottle is revolved with SYMMETRY_ASSUMED, in the status, the completed event, the ZIP manifest and the log', { timeout: 60_000 }, async () => {
    // Gravel with no object on it: nothing to separate (the busy photo of the web app's newcomer test).
    const gravel = await readFile(new URL('../../../packages/mesh/src/test-support/backgrounds/gravel.jpg', import.meta.url));
    const files = [
      { name: 'gravel.jpg', data: gravel, type: 'image/jpeg' },
      { name: 'bottle.png', data: await bottleWithAlpha(384) },
    ];
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files, fields: { face_limit: '2000' } });
    const { job_id } = (await res.json()) as { job_id: string };
    const done = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    expect(done.status).toBe('completed');
    const [card, bottle] = done.files;
    expect(card).toMatchObject({ filename: 'gravel.jpg', shape: 'card' });
    expect(card?.warnings.map((w) => w.code)).toEqual(['BACKGROUND_NOT_SEPARATED']);
    expect(card?.warnings[0]?.message).toContain(
      'made a flat card of the whole photo: use a photo of the object on a plain background or with a transparent background',
    );
    expect(bottle).toMatchObject({ filename: 'bottle.png', shape: 'revolved' });
    expect(bottle?.warnings.map((w) => w.code)).toEqual(['SYMMETRY_ASSUMED']);

    const { events } = await readEventStream(server.api(`/status/stream/${job_id}`), { headers: auth(USER_KEY) });
    const completed = events.filter((e) => e.data.type === 'completed').map((e) => e.data);
    expect(completed.map(({ file_id, warnings, shape }) => ({ file_id, warnings, shape }))).toEqual(
      done.files.map(({ file_id, warnings, shape }) => ({ file_id, warnings, shape })),
    );

    const zip = await fetch(server.api(`/download/${job_id}/all`), { headers: auth(USER_KEY) });
    const manifest = JSON.parse(strFromU8(unzipSync(new Uint8Array(await zip.arrayBuffer()))['manifest.json'] ?? new Uint8Array())) as {
      files: { name: string; warnings: unknown; shape: unknown }[];
    };
    expect(manifest.files.map(({ name, warnings, shape }) => ({ name, warnings, shape }))).toEqual(
      done.files.map(({ filename, warnings, shape }) => ({ name: filename, warnings, shape })),
    );

    // One line per warning at warn (pino's 40), naming the job, the file and the code.
    const logged = server.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.job_id === job_id && entry.level === 40);
    expect(logged.map(({ file_id, code }) => ({ file_id, code }))).toEqual(
      expect.arrayContaining([
        { file_id: 'file_001', code: 'BACKGROUND_NOT_SEPARATED' },
        { file_id: 'file_002', code: 'SYMMETRY_ASSUMED' },
      ]),
    );
  });
});
