import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFalEmulator, TRIPO_MULTIVIEW_ENDPOINT, type FalEmulator } from '@image2model/fal-emulator';
import { box, renderFourViews } from '@image2model/mesh/test-support/multiview-objects';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { startFalStack, type FalStack } from '@image2model/testing/fal';
import { auth, uploadMultiview, waitFor, waitForJobStatus, type JobStatusBody, type UploadPart } from '@image2model/testing/http';
import { USER_KEY } from '@image2model/testing/test-server';

type View = 'front' | 'left' | 'back' | 'right';

/** A box photographed from its four sides, as the upload's parts. */
async function boxViews(): Promise<Record<View, UploadPart>> {
  const renders = await renderFourViews(box());
  return {
    front: { name: 'front.png', data: renders.front },
    left: { name: 'left.png', data: renders.left },
    back: { name: 'back.png', data: renders.back },
    right: { name: 'right.png', data: renders.right },
  };
}

/** The accepted submit's view URLs, each resolved to the bytes FAL's storage received for it. */
function submittedViews(fal: FalEmulator): Partial<Record<View, Buffer>> {
  const [submit] = fal.acceptedSubmits();
  const views: Partial<Record<View, Buffer>> = {};
  for (const view of ['front', 'left', 'back', 'right'] as const) {
    const url = submit?.input[`${view}_image_url`];
    const upload = fal.uploads.find((candidate) => candidate.file_url === url);
    if (upload) views[view] = upload.bytes;
  }
  return views;
}

describe('a multiview upload made by FAL (against the FAL emulator)', () => {
  let stack: FalStack | null = null;
  let fal: FalEmulator | null = null;
  const children: ChildServer[] = [];
  let dataDir = '';
  afterEach(async () => {
    for (const child of children.splice(0)) child.child.kill('SIGKILL');
    await stack?.stop();
    await fal?.close();
    stack = null;
    fal = null;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("submits once to Tripo's multiview endpoint with the four views' URLs and stores FAL's model", { timeout: 60_000 }, async () => {
    stack = await startFalStack({ emulator: { queueMs: 50, processingMs: 400 } });
    const { server, fal: emulator } = stack;
    const views = await boxViews();
    const res = await uploadMultiview(server.api('/upload/multiview'), { key: USER_KEY, views, fields: { face_limit: '3000', texture: 'standard' } });
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    const done = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    expect(done.status).toBe('completed');

    const accepted = emulator.acceptedSubmits();
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ endpoint: TRIPO_MULTIVIEW_ENDPOINT });
    expect(Object.keys(accepted[0]?.input ?? {}).sort()).toEqual(['back_image_url', 'face_limit', 'front_image_url', 'left_image_url', 'right_image_url', 'texture']);
    expect(accepted[0]?.input).toMatchObject({ face_limit: 3000, texture: 'standard' });
    expect(submittedViews(emulator)).toEqual({ front: views.front.data, left: views.left.data, back: views.back.data, right: views.right.data });
    expect(done.files[0]).toMatchObject({ model_task_id: accepted[0]?.request_id, views: { front: 'front.png', left: 'left.png', back: 'back.png', right: 'right.png' } });
    const model = await fetch(server.api(`/download/${job_id}/file_001/model`), { headers: auth(USER_KEY) });
    expect(Buffer.from(await model.arrayBuffer()).equals((await emulator.modelOf(accepted[0]?.request_id ?? '')) ?? Buffer.alloc(0))).toBe(true);

  });

  it('cancels a multiview request at FAL, at the endpoint it was submitted to', { timeout: 60_000 }, async () => {
    // FAL works long enough for the cancel to find the request running.
    stack = await startFalStack({ emulator: { queueMs: 50, processingMs: 10_000 } });
    const { server, fal: emulator } = stack;
    const views = await boxViews();
    const res = await uploadMultiview(server.api('/upload/multiview'), { key: USER_KEY, views: { front: views.front, right: views.right } });
    const { job_id } = (await res.json()) as { job_id: string };
    const submitted = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY, (b) => b.files[0]?.model_task_id != null);
    expect(emulator.acceptedSubmits()).toMatchObject([{ endpoint: TRIPO_MULTIVIEW_ENDPOINT, input: { front_image_url: expect.any(String), right_image_url: expect.any(String) } }]);
    const cancel = await fetch(server.api(`/jobs/${job_id}/cancel`), { method: 'POST', headers: { ...auth(USER_KEY), 'content-type': 'application/json' }, body: '{}' });
    expect(cancel.status).toBe(200);
    expect(((await cancel.json()) as { cancelled_file_ids: string[] }).cancelled_file_ids).toEqual(['file_001']);
    await waitFor(async () => (emulator.cancels.length > 0 ? true : undefined), { what: "FAL's cancel" });
    expect(emulator.cancels).toMatchObject([{ request_id: submitted.files[0]?.model_task_id, answer: 202, status: 'CANCELLATION_REQUESTED' }]);
  });

  it('resumes the stored request after a kill -9 between submit and completion, without a second submit', { timeout: 120_000 }, async () => {
    // Long enough that FAL is still working when the first server dies.
    fal = await startFalEmulator({ queueMs: 300, processingMs: 5000 });
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-multiview-restart-'));
    const key = 'multiview-restart-key';
    const env = { DATA_DIR: dataDir, API_KEYS: key, FAL_KEY: 'fal-test-key', FAL_BASE_URL: fal.url, RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_PER_HOUR: '100000' };
    const first = await startChildServer(env);
    children.push(first);
    const views = await boxViews();
    const res = await uploadMultiview(`${first.url}/api/v1/upload/multiview`, { key, views });
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };

    // The moment the request id is stored on disk (FAL accepted the submit), the process dies.
    const submitted = await waitForJobStatus(`${first.url}/api/v1/status/${job_id}`, key, (b) => b.files[0]?.model_task_id != null);
    const requestId = submitted.files[0]?.model_task_id ?? '';
    await waitFor(async () => ((await readFile(join(dataDir, 'jobs', job_id, 'job.json'), 'utf8').catch(() => '')).includes(requestId) ? true : undefined), {
      what: 'the request id in job.json',
    });
    first.child.kill('SIGKILL');
    await first.exited;
    expect(fal.acceptedSubmits().map((s) => s.request_id)).toEqual([requestId]);

    const second = await startChildServer(env);
    children.push(second);
    const done = await waitFor(
      async () => {
        const body = (await (await fetch(`${second.url}/api/v1/status/${job_id}`, { headers: auth(key) })).json()) as JobStatusBody;
        return body.status === 'processing' ? undefined : body;
      },
      { timeoutMs: 60_000, what: 'the resumed job' },
    );
    expect(done.status).toBe('completed');
    expect(done.files[0]).toMatchObject({ model_task_id: requestId, views: { front: 'front.png', left: 'left.png', back: 'back.png', right: 'right.png' } });
    expect(fal.submits).toHaveLength(1); // nothing was submitted again
    expect(submittedViews(fal)).toEqual({ front: views.front.data, left: views.left.data, back: views.back.data, right: views.right.data });
    const model = await fetch(`${second.url}/api/v1/download/${job_id}/file_001/model`, { headers: auth(key) });
    expect(Buffer.from(await model.arrayBuffer()).equals((await fal.modelOf(requestId)) ?? Buffer.alloc(0))).toBe(true);
  });
});
