import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { FalScenario } from '@image2model/fal-emulator';
import { startFalStack, type FalStack } from '@image2model/testing/fal';
import { makePhoto } from '@image2model/testing/images';
import { auth, readEventStream, uploadBatch, waitForJobStatus, type JobStatusBody } from '@image2model/testing/http';
import { startHttpServer } from '@image2model/testing/net';
import { USER_KEY } from '@image2model/testing/test-server';

/** What the emulator's logs carry (10, 30, 55, 75, 90 %, then 100 % shown as 99 until our copy exists). */
const LOGGED_PERCENTAGES = [10, 30, 55, 75, 90, 99];

describe('the FAL provider through /api/v1, against the FAL emulator', () => {
  let stack: FalStack;
  afterEach(async () => {
    await stack?.stop();
  });

  async function start(scenario?: FalScenario, opts: Parameters<typeof startFalStack>[0] = {}) {
    stack = await startFalStack({ ...opts, emulator: { ...(scenario ? { scenario } : {}), ...opts.emulator } });
    return stack;
  }

  async function photo() {
    return [{ name: 'chair.png', data: await makePhoto() }];
  }

  const submitsTo = (s: FalStack) => s.fal.submits.filter((submit) => submit.endpoint === 'tripo3d/tripo/v2.5/image-to-3d');

  async function expectEmulatorModel(s: FalStack, job: JobStatusBody, fileId = 'file_001') {
    const file = job.files.find((f) => f.file_id === fileId);
    const expected = await s.fal.modelOf(file?.model_task_id ?? '');
    const { status, bytes } = await s.download(job, fileId);
    expect(status).toBe(200);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('glTF');
    expect(expected && bytes.equals(expected)).toBe(true);
  }

  it('uploads the photo, submits once, follows progress and stores the GLB FAL made (success)', async () => {
    const s = await start('success', { emulator: { queueMs: 1000 } });
    const files = await photo();
    const job = await s.run(files);
    expect(job.status).toBe('completed');
    const accepted = s.fal.acceptedSubmits();
    expect(accepted).toHaveLength(1);
    expect(job.files[0]).toMatchObject({ status: 'completed', model_task_id: accepted[0]?.request_id, face_limit: null, warnings: [], shape: null });
    await expectEmulatorModel(s, job);

    // What FAL received: our photo's bytes in its storage, and only image_url (no face_limit we were not given).
    expect(s.fal.uploads).toHaveLength(1);
    expect(s.fal.uploads[0]?.bytes.equals(files[0]?.data ?? Buffer.alloc(0))).toBe(true);
    expect(s.fal.uploads[0]).toMatchObject({ content_type: 'image/png', file_name: 'file_001.png' });
    expect(accepted[0]?.input).toEqual({ image_url: s.fal.uploads[0]?.file_url });
    expect(s.fal.requests.filter((r) => r.path.startsWith('/tripo3d/')).every((r) => r.authorization === 'Key test-fal-key')).toBe(true);
    expect(s.fal.requests.filter((r) => r.method === 'PUT' || r.path.startsWith('/files/')).every((r) => r.authorization === null)).toBe(true);

    // FAL's WebP rendering became our PNG preview.
    const preview = await fetch(job.files[0]?.preview_url ?? '');
    expect(preview.status).toBe(200);
    expect(Buffer.from(await preview.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');

    // Honest progress: only percentages FAL's logs carried, never backwards; queue position and log lines as events.
    const { events } = await readEventStream(s.server.api(`/status/stream/${job.job_id}`), { headers: auth(USER_KEY) });
    const progress = events.filter((e) => e.data.type === 'progress').map((e) => e.data.progress as number);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.filter((p) => p !== 0).every((p) => LOGGED_PERCENTAGES.includes(p))).toBe(true);
    expect(progress.length).toBeGreaterThan(2);
    const logs = events.filter((e) => e.data.type === 'log').map((e) => e.data.message as string);
    expect(logs.some((m) => /FAL's queue/.test(m)), JSON.stringify(s.fal.requests.map((r) => [r.method, r.path, r.at - (s.fal.submits[0]?.at ?? 0)]))).toBe(true);
    expect(logs).toContain('FAL: Texturing: 75%');
    expect(logs.filter((m) => m === 'FAL: Texturing: 75%')).toHaveLength(1); // each FAL line once, though every poll repeats it
  });

  it('sends face_limit and the Tripo options only as given, and generate-single changes them', async () => {
    const s = await start('success');
    const job = await s.run(await photo(), { face_limit: '2000', texture: 'HD', pbr: 'false', seed: '42', orientation: 'align_image' });
    expect(job.files[0]).toMatchObject({ status: 'completed', face_limit: 2000 });
    const first = s.fal.acceptedSubmits()[0]?.input;
    expect(first).toEqual({ image_url: expect.any(String), face_limit: 2000, texture: 'HD', pbr: false, seed: 42, orientation: 'align_image' });

    const res = await fetch(s.server.api('/models/generate-single'), {
      method: 'POST',
      headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' },
      body: JSON.stringify({ job_id: job.job_id, file_id: 'file_001', texture: 'no', texture_seed: 7, auto_size: true }),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { model_task_id: string | null };
    expect(answer.model_task_id).toBeNull(); // FAL's request id exists only once the new submit is accepted
    const again = await waitForJobStatus(s.server.api(`/status/${job.job_id}`), USER_KEY, (b) => b.status !== 'processing' && b.files[0]?.model_task_id !== job.files[0]?.model_task_id);
    expect(again.files[0]?.status).toBe('completed');
    const accepted = s.fal.acceptedSubmits();
    expect(accepted).toHaveLength(2);
    expect(accepted[1]?.input).toEqual({
      image_url: expect.any(String),
      face_limit: 2000,
      texture: 'no',
      pbr: false,
      seed: 42,
      orientation: 'align_image',
      texture_seed: 7,
      auto_size: true,
    });
    expect(again.files[0]?.model_task_id).toBe(accepted[1]?.request_id);
    await expectEmulatorModel(s, again);
  });

  it('rejects malformed Tripo options with 400 VALIDATION_ERROR, on upload and on generate-single', async () => {
    const s = await start('success');
    const badFields: Record<string, string>[] = [{ pbr: 'yes' }, { seed: '1.5' }, { seed: '-1' }, { texture: 'ultra' }, { texture_seed: '2147483648' }, { orientation: 'sideways' }];
    for (const fields of badFields) {
      const res = await uploadBatch(s.server.api('/upload/batch'), { key: USER_KEY, files: await photo(), fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      const body = (await res.json()) as { detail: { code: string; message: string; details: { field: string } } };
      expect(body.detail).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: Object.keys(fields)[0] } });
    }
    for (const extra of [{ pbr: 'true' }, { seed: -1 }, { seed: 1.5 }, { texture: 'ultra' }, { auto_size: 1 }, { texture_alignment: 'photo' }]) {
      const res = await fetch(s.server.api('/models/generate-single'), {
        method: 'POST',
        headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' },
        body: JSON.stringify({ job_id: 'batch_20990101_000000_aaaaaa', file_id: 'file_001', ...extra }),
      });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(((await res.json()) as { detail: { code: string } }).detail.code).toBe('VALIDATION_ERROR');
    }
    expect(s.fal.submits).toHaveLength(0);
  });

  it('fails the file at once with FAL_API_ERROR naming the key when FAL answers 401', async () => {
    const s = await start('401');
    const job = await s.run(await photo());
    expect(job.status).toBe('failed');
    expect(job.files[0]).toMatchObject({ status: 'failed', model_task_id: null });
    expect(job.files[0]?.error).toEqual({ code: 'FAL_API_ERROR', message: expect.stringMatching(/FAL rejected the API key .*HTTP 401.*FAL_KEY/) });
    expect(submitsTo(s)).toHaveLength(1); // not retried
    expect(s.fal.acceptedSubmits()).toHaveLength(0);
    expect((await s.download(job)).status).toBe(404);
  });

  it('names the key too when FAL refuses it at the storage upload, before anything is submitted', async () => {
    const s = await start('success', { emulator: { keys: ['the-right-key'] }, falKey: 'a-revoked-key' });
    const job = await s.run(await photo());
    expect(job.files[0]?.error).toEqual({ code: 'FAL_API_ERROR', message: expect.stringMatching(/FAL rejected the API key while uploading the image.*FAL_KEY/) });
    expect(s.fal.requests.filter((r) => r.path === '/storage/upload/initiate')).toHaveLength(1);
    expect(s.fal.submits).toHaveLength(0);
  });

  it("fails at once with FAL's reason when the model rejects the input (422 on the result)", async () => {
    const s = await start('422');
    const job = await s.run(await photo());
    expect(job.files[0]?.error).toEqual({
      code: 'FAL_API_ERROR',
      message: expect.stringMatching(/^FAL rejected the input .*image_url: Unsupported image: no object could be found in it$/),
    });
    expect(s.fal.acceptedSubmits()).toHaveLength(1);
    const resultRequests = s.fal.requests.filter((r) => r.method === 'GET' && /\/requests\/[^/]+$/.test(r.path));
    expect(resultRequests).toHaveLength(1); // a 422 is not retried
    expect(job.files[0]?.model_task_id).toBe(s.fal.acceptedSubmits()[0]?.request_id);
  });

  it('fails at once with the reason when FAL refuses the submit itself with 422', async () => {
    const s = await start({ name: '422', on: 'submit' });
    const job = await s.run(await photo());
    expect(job.files[0]?.error).toEqual({ code: 'FAL_API_ERROR', message: expect.stringContaining('Unsupported image: no object could be found in it') });
    expect(submitsTo(s)).toHaveLength(1);
    expect(s.fal.acceptedSubmits()).toHaveLength(0);
  });

  for (const [scenario, answer] of [
    ['429-then-success', 429],
    ['500-then-success', 500],
    ['hang', 'hang'],
    ['connection-reset', 'reset'],
  ] as const) {
    it(`re-sends a submit FAL did not accept (${scenario}) and completes with exactly one accepted submit`, async () => {
      const s = await start(scenario);
      const job = await s.run(await photo());
      expect(job.status).toBe('completed');
      expect(submitsTo(s).map((x) => x.answer)).toEqual([answer, 200]);
      expect(s.fal.acceptedSubmits()).toHaveLength(1);
      expect(job.files[0]?.model_task_id).toBe(s.fal.acceptedSubmits()[0]?.request_id);
      await expectEmulatorModel(s, job);
      const { events } = await readEventStream(s.server.api(`/status/stream/${job.job_id}`), { headers: auth(USER_KEY) });
      expect(events.some((e) => e.data.type === 'log' && e.data.level === 'warning' && /retrying in/.test(e.data.message as string))).toBe(true);
    });
  }

  it('keeps following a request through dropped connections and 5xx while polling, without submitting again', async () => {
    const s = await start({ name: 'connection-reset', on: 'status', times: 2 });
    s.fal.queueScenarios({ name: '500-then-success', on: 'status', times: 2 }, { name: 'hang', on: 'result' }, { name: 'connection-reset', on: 'download' });
    const colours = ['#d04a2a', '#2a7bd0', '#2ad07b', '#d0c02a'];
    const job = await s.run(await Promise.all(colours.map(async (colour, i) => ({ name: `p${i + 1}.png`, data: await makePhoto({ colour }) }))));
    expect(job.status).toBe('completed');
    expect(s.fal.acceptedSubmits()).toHaveLength(4);
    expect(submitsTo(s)).toHaveLength(4);
    expect(new Set(job.files.map((f) => f.model_task_id)).size).toBe(4);
    for (const file of job.files) await expectEmulatorModel(s, job, file.file_id);
  });

  it('gives up after the documented number of attempts with FAL_API_ERROR, having nothing accepted', async () => {
    const s = await start({ name: '500-then-success', times: Infinity });
    const job = await s.run(await photo());
    expect(job.files[0]?.error).toEqual({
      code: 'FAL_API_ERROR',
      message: expect.stringMatching(/^FAL was unavailable while submitting the request to FAL after 4 attempts \(HTTP 500: Internal server error\)/),
    });
    expect(submitsTo(s)).toHaveLength(4); // maxRetries 3 in these tests
    expect(s.fal.acceptedSubmits()).toHaveLength(0);
  });

  it('reaches FAL twice only when an accepted submit loses its answer (the documented case)', async () => {
    const s = await start('reset-after-accept');
    const job = await s.run(await photo());
    expect(job.status).toBe('completed');
    const accepted = s.fal.acceptedSubmits();
    expect(accepted.map((x) => x.answer)).toEqual(['reset-after-accept', 200]);
    expect(job.files[0]?.model_task_id).toBe(accepted[1]?.request_id);
  });

  it('fails with FAL_API_ERROR when the model URL of the result is missing on the CDN (404)', async () => {
    const s = await start('model-404');
    const job = await s.run(await photo());
    expect(job.files[0]?.error).toEqual({ code: 'FAL_API_ERROR', message: 'FAL failed while downloading the model from FAL (HTTP 404)' });
    expect(s.fal.acceptedSubmits()).toHaveLength(1);
    expect(s.fal.requests.filter((r) => r.path.endsWith('/model.glb'))).toHaveLength(1); // a 404 is not retried
  });

  it('refuses a model that is not a GLB, whatever its content type', async () => {
    const s = await start('not-glb');
    const job = await s.run(await photo());
    expect(job.files[0]?.error).toEqual({ code: 'FAL_API_ERROR', message: expect.stringMatching(/^FAL returned a model that is not a GLB \(\d+ bytes starting with "Kayd"\)$/) });
    expect(s.fal.acceptedSubmits()).toHaveLength(1);
    expect((await s.download(job)).status).toBe(404);
  });

  it('refuses a model URL outside FAL media hosts and FAL_BASE_URL without fetching it (no SSRF)', async () => {
    const internal: string[] = [];
    const probe = await startHttpServer((req, res) => {
      internal.push(req.url ?? '');
      res.end('secret');
    });
    onTestFinished(() => probe.close());
    const internalUrl = `${probe.url}/latest/meta-data.glb`;
    const s = await start('success', { emulator: { transformResult: (output) => ({ ...output, model_mesh: { ...output.model_mesh, url: internalUrl } }) } });
    const job = await s.run(await photo());
    expect(job.files[0]?.error).toEqual({
      code: 'FAL_API_ERROR',
      message: `FAL returned a file URL on ${probe.url}, which is not a FAL media host; refused`,
    });
    expect(internal).toEqual([]);
  });
});
