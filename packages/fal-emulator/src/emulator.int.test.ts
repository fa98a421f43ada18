import { createFalClient, type FalClient } from '@fal-ai/client';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { startFalEmulator, type FalEmulator, type FalEmulatorOptions } from './emulator.js';
import { TRIPO_ENDPOINT, TRIPO_MULTIVIEW_ENDPOINT, type MultiviewPhotos } from './tripo-model.js';

/** The real client, pointed at the emulator the way FAL_BASE_URL does it: FAL hosts → emulator origin. */
function clientFor(fal: FalEmulator, key: string | null = 'test-key'): { client: FalClient; redirect: typeof fetch } {
  const base = new URL(fal.url);
  const redirect = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (/(^|\.)fal\.(run|ai|media)$/.test(url.hostname)) {
      url.protocol = base.protocol;
      url.host = base.host;
    }
    return fetch(url, init);
  }) as typeof fetch;
  return { client: createFalClient({ ...(key ? { credentials: key } : {}), fetch: redirect, retry: { maxRetries: 0 } }), redirect };
}

async function photo(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="100%" height="100%" fill="#fff"/><circle cx="48" cy="48" r="30" fill="#d04a2a"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the FAL emulator, spoken to by @fal-ai/client 1.10.1', () => {
  let fal: FalEmulator;
  afterEach(async () => {
    await fal?.close();
  });

  async function start(opts: FalEmulatorOptions = {}) {
    fal = await startFalEmulator({ queueMs: 150, processingMs: 300, ...opts });
    return clientFor(fal);
  }

  async function submitPhoto(client: FalClient, input: Record<string, unknown> = {}) {
    const image_url = await client.storage.upload(new Blob([await photo()], { type: 'image/png' }));
    return client.queue.submit(TRIPO_ENDPOINT, { input: { image_url, ...input } });
  }

  it('runs storage upload → submit → status → result → CDN download, and records it all', async () => {
    const { client, redirect } = await start({ queueMs: 600 });
    const submitted = await submitPhoto(client, { face_limit: 600 });
    expect(submitted).toMatchObject({
      status: 'IN_QUEUE',
      request_id: expect.any(String),
      status_url: `https://queue.fal.run/tripo3d/tripo/requests/${submitted.request_id}/status`,
    });
    const seen: string[] = [];
    const done = await client.queue.subscribeToStatus(TRIPO_ENDPOINT, {
      requestId: submitted.request_id,
      logs: true,
      pollInterval: 30,
      onQueueUpdate: (s) => seen.push(s.status),
    });
    expect(done.status).toBe('COMPLETED');
    expect(seen[0]).toBe('IN_QUEUE');
    expect(seen).toContain('IN_PROGRESS');
    expect(done.logs.map((l) => l.message)).toEqual([
      'Starting Tripo v2.5 image-to-3d',
      'Preprocessing image: 10%',
      'Generating geometry: 30%',
      'Generating geometry: 55%',
      'Texturing: 75%',
      'Exporting model: 90%',
      'Generation finished: 100%',
    ]);
    const { data, requestId } = await client.queue.result(TRIPO_ENDPOINT, { requestId: submitted.request_id });
    expect(requestId).toBe(submitted.request_id);
    expect(data.model_mesh).toMatchObject({ url: expect.stringMatching(/^https:\/\/v3\.fal\.media\/files\/.+\/model\.glb$/), content_type: 'application/octet-stream' });
    const model = Buffer.from(await (await redirect(data.model_mesh?.url ?? '')).arrayBuffer());
    expect(model.subarray(0, 4).toString('latin1')).toBe('glTF');
    expect(model.length).toBe(data.model_mesh?.file_size);
    expect(model.equals((await fal.modelOf(submitted.request_id)) ?? Buffer.alloc(0))).toBe(true);
    const preview = Buffer.from(await (await redirect(data.rendered_image?.url ?? '')).arrayBuffer());
    expect(preview.subarray(8, 12).toString('latin1')).toBe('WEBP');

    expect(fal.uploads).toHaveLength(1);
    expect(fal.uploads[0]?.bytes.equals(await photo())).toBe(true);
    expect(fal.acceptedSubmits().map((s) => s.input)).toEqual([{ image_url: fal.uploads[0]?.file_url, face_limit: 600 }]);
    const put = fal.requests.find((r) => r.method === 'PUT');
    expect(put?.authorization).toBeNull();
    expect(fal.requests.find((r) => r.path === '/storage/upload/initiate')?.authorization).toBe('Key test-key');
  });

  it('answers 401 without a key on the queue and storage API, but serves uploads and files without one', async () => {
    await start();
    const { client } = clientFor(fal, null);
    await expect(client.storage.upload(new Blob(['x'], { type: 'image/png' }))).rejects.toMatchObject({ status: 401 });
    await expect(client.queue.submit(TRIPO_ENDPOINT, { input: { image_url: 'https://v3.fal.media/files/x/y.png' } })).rejects.toMatchObject({ status: 401 });
    const { client: keyed } = clientFor(fal);
    await expect(keyed.queue.status(TRIPO_ENDPOINT, { requestId: '00000000-0000-0000-0000-000000000000' })).rejects.toMatchObject({ status: 404 });
  });

  it('accepts only the configured keys when given', async () => {
    fal = await startFalEmulator({ keys: ['good'] });
    await expect(clientFor(fal, 'bad').client.queue.submit(TRIPO_ENDPOINT, { input: { image_url: 'x' } })).rejects.toMatchObject({ status: 401 });
    await expect(clientFor(fal, 'good').client.queue.submit(TRIPO_ENDPOINT, { input: { image_url: 'x' } })).resolves.toMatchObject({ status: 'IN_QUEUE' });
  });

  it('streams status as Server-Sent Events until COMPLETED, and answers status with 202 then 200', async () => {
    const { client } = await start({ queueMs: 600 });
    const { request_id } = await submitPhoto(client);
    const raw = await fetch(`${fal.url}/tripo3d/tripo/requests/${request_id}/status`, { headers: { Authorization: 'Key k' } });
    expect(raw.status).toBe(202);
    expect(await raw.json()).toMatchObject({ status: 'IN_QUEUE', logs: null });
    const stream = await client.queue.streamStatus(TRIPO_ENDPOINT, { requestId: request_id, logs: true });
    const statuses: string[] = [];
    stream.on('data', (s) => statuses.push(s.status));
    const last = await stream.done();
    expect(last.status).toBe('COMPLETED');
    expect(statuses[0]).toBe('IN_QUEUE');
    expect(statuses.at(-1)).toBe('COMPLETED');
    const after = await fetch(`${fal.url}/tripo3d/tripo/requests/${request_id}/status?logs=1`, { headers: { Authorization: 'Key k' } });
    expect(after.status).toBe(200);
  });

  it('refuses the result before completion and knows no foreign ids', async () => {
    const { client } = await start({ queueMs: 400 });
    const { request_id } = await submitPhoto(client);
    await expect(client.queue.result(TRIPO_ENDPOINT, { requestId: request_id })).rejects.toMatchObject({ status: 400 });
    await expect(client.queue.status(TRIPO_ENDPOINT, { requestId: 'nope' })).rejects.toMatchObject({ status: 404 });
    await expect(client.queue.submit('fal-ai/flux/dev', { input: { prompt: 'a cat' } })).rejects.toMatchObject({ status: 404 });
  });

  describe('cancel (PUT …/requests/<id>/cancel)', () => {
    /** The raw answer, body included (`queue.cancel` resolves to nothing). */
    const cancelRaw = async (requestId: string) => {
      const res = await fetch(`${fal.url}/tripo3d/tripo/requests/${requestId}/cancel`, { method: 'PUT', headers: { Authorization: 'Key k' } });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const statusOf = async (client: FalClient, requestId: string) => {
      const status = await client.queue.status(TRIPO_ENDPOINT, { requestId, logs: true });
      return { ...status, logs: 'logs' in status ? status.logs : [] };
    };

    it('removes a queued request: 202 CANCELLATION_REQUESTED, then COMPLETED without logs, result or model, and recorded', async () => {
      const { client } = await start({ queueMs: 400, processingMs: 200 });
      const { request_id } = await submitPhoto(client);
      // The real client's route: it sends the PUT to …/tripo3d/tripo/requests/<id>/cancel.
      await client.queue.cancel(TRIPO_ENDPOINT, { requestId: request_id });
      expect(fal.requests.at(-1)).toMatchObject({ method: 'PUT', path: `/tripo3d/tripo/requests/${request_id}/cancel`, authorization: 'Key test-key' });
      expect(fal.cancels).toEqual([{ request_id, found: 'IN_QUEUE', answer: 202, status: 'CANCELLATION_REQUESTED', stops: true, at: expect.any(Number) }]);
      await sleep(700); // past the time it would have run and finished
      expect(await statusOf(client, request_id)).toMatchObject({ status: 'COMPLETED', logs: [], metrics: { inference_time: null } });
      await expect(client.queue.result(TRIPO_ENDPOINT, { requestId: request_id })).rejects.toMatchObject({ status: 400, body: { detail: 'Request was cancelled' } });
      expect(await fal.modelOf(request_id)).toBeUndefined();
      // Cancelling it again finds nothing left to stop.
      expect(await cancelRaw(request_id)).toEqual({ status: 400, body: { status: 'ALREADY_COMPLETED' } });
      expect(fal.cancels.map((c) => c.found)).toEqual(['IN_QUEUE', 'COMPLETED']);
    });

    it('stops a running request: its logs end at the cancel, and no result or model ever comes', async () => {
      const { client } = await start({ queueMs: 50, processingMs: 1500 });
      const { request_id } = await submitPhoto(client);
      await sleep(400); // running: it has logged a line or two
      expect((await statusOf(client, request_id)).status).toBe('IN_PROGRESS');
      expect(await cancelRaw(request_id)).toEqual({ status: 202, body: { status: 'CANCELLATION_REQUESTED' } });
      expect(fal.cancels).toMatchObject([{ request_id, found: 'IN_PROGRESS', answer: 202, stops: true }]);
      const stopped = await statusOf(client, request_id);
      expect(stopped).toMatchObject({ status: 'COMPLETED', metrics: { inference_time: null } });
      const lines = stopped.logs.map((l) => l.message);
      expect(lines[0]).toBe('Starting Tripo v2.5 image-to-3d');
      expect(lines).not.toContain('Generation finished: 100%');
      await sleep(1300); // past its planned end: it stays stopped
      expect((await statusOf(client, request_id)).logs.map((l) => l.message)).toEqual(lines);
      await expect(client.queue.result(TRIPO_ENDPOINT, { requestId: request_id })).rejects.toMatchObject({ status: 400 });
      expect(await fal.modelOf(request_id)).toBeUndefined();
      const records = (await (await fetch(`${fal.url}/_emulator/records`)).json()) as { cancels: unknown[] };
      expect(records.cancels).toEqual([expect.objectContaining({ request_id, found: 'IN_PROGRESS' })]);
    });

    it('lets a running request with the completes-despite-cancel scenario finish: the cancel is accepted, the result still arrives', async () => {
      const { client } = await start({ queueMs: 50, processingMs: 300 });
      fal.queueScenarios('completes-despite-cancel');
      const { request_id } = await submitPhoto(client);
      await sleep(150);
      expect(await cancelRaw(request_id)).toEqual({ status: 202, body: { status: 'CANCELLATION_REQUESTED' } });
      expect(fal.cancels).toMatchObject([{ request_id, found: 'IN_PROGRESS', answer: 202, stops: false }]);
      expect((await statusOf(client, request_id)).status).toBe('IN_PROGRESS');
      const done = await client.queue.subscribeToStatus(TRIPO_ENDPOINT, { requestId: request_id, logs: true, pollInterval: 30 });
      expect(done.logs.at(-1)?.message).toBe('Generation finished: 100%');
      const { data } = await client.queue.result(TRIPO_ENDPOINT, { requestId: request_id });
      expect(data.model_mesh?.url).toMatch(/model\.glb$/);
      expect((await fal.modelOf(request_id))?.subarray(0, 4).toString('latin1')).toBe('glTF');
    });

    it('answers a completed request with 400 ALREADY_COMPLETED and an unknown one with 404 NOT_FOUND, recording both', async () => {
      const { client } = await start({ queueMs: 20, processingMs: 100 });
      const { request_id } = await submitPhoto(client);
      await client.queue.subscribeToStatus(TRIPO_ENDPOINT, { requestId: request_id, pollInterval: 30 });
      await expect(client.queue.cancel(TRIPO_ENDPOINT, { requestId: request_id })).rejects.toMatchObject({ status: 400, body: { status: 'ALREADY_COMPLETED' } });
      expect((await client.queue.result(TRIPO_ENDPOINT, { requestId: request_id })).data.model_mesh).toBeDefined();
      expect(await cancelRaw('00000000-0000-0000-0000-000000000000')).toEqual({ status: 404, body: { status: 'NOT_FOUND' } });
      expect(fal.cancels.map(({ found, answer, status }) => [found, answer, status])).toEqual([
        ['COMPLETED', 400, 'ALREADY_COMPLETED'],
        [null, 404, 'NOT_FOUND'],
      ]);
    });

    it('holds cancels unapplied and unanswered until released, then applies and answers them in order', async () => {
      const { client } = await start({ queueMs: 50, processingMs: 1500 });
      const { request_id } = await submitPhoto(client);
      await sleep(200);
      const release = fal.holdCancels();
      let answered = false;
      const answer = cancelRaw(request_id).then((a) => ((answered = true), a));
      await sleep(300);
      expect(answered).toBe(false);
      expect(fal.requests.at(-1)).toMatchObject({ method: 'PUT', path: `/tripo3d/tripo/requests/${request_id}/cancel` });
      expect(fal.cancels).toEqual([]);
      expect((await statusOf(client, request_id)).status).toBe('IN_PROGRESS');
      release();
      expect(await answer).toEqual({ status: 202, body: { status: 'CANCELLATION_REQUESTED' } });
      expect(fal.cancels).toMatchObject([{ request_id, found: 'IN_PROGRESS', stops: true }]);
      // Released: later cancels are answered at once.
      expect(await cancelRaw(request_id)).toEqual({ status: 400, body: { status: 'ALREADY_COMPLETED' } });
    });
  });

  it('serves Tripo multiview: records the view URLs, makes the model from every view, and wants the front', async () => {
    const seen: (MultiviewPhotos | undefined)[] = [];
    const { client } = await start({
      makeModel: async (_image, _input, views) => {
        seen.push(views);
        return { model: Buffer.from('glTF'), model_file_name: 'model.glb', preview: null };
      },
    });
    const [front, left] = [await photo(), Buffer.from(await sharp(await photo()).flop().png().toBuffer())];
    const front_image_url = await client.storage.upload(new Blob([front], { type: 'image/png' }));
    const left_image_url = await client.storage.upload(new Blob([left], { type: 'image/png' }));
    const { request_id } = await client.queue.submit(TRIPO_MULTIVIEW_ENDPOINT, { input: { front_image_url, left_image_url, face_limit: 500 } });
    expect(fal.submits).toMatchObject([{ endpoint: TRIPO_MULTIVIEW_ENDPOINT, input: { front_image_url, left_image_url, face_limit: 500 }, accepted: true }]);
    // Status, result and cancel URLs name the app only, as for image-to-3d.
    await client.queue.subscribeToStatus(TRIPO_MULTIVIEW_ENDPOINT, { requestId: request_id, pollInterval: 30 });
    expect((await client.queue.result(TRIPO_MULTIVIEW_ENDPOINT, { requestId: request_id })).data.model_mesh).toBeDefined();
    expect(seen).toEqual([{ front, left }]);

    const { request_id: noFront } = await client.queue.submit(TRIPO_MULTIVIEW_ENDPOINT, { input: { left_image_url } as never });
    await client.queue.subscribeToStatus(TRIPO_MULTIVIEW_ENDPOINT, { requestId: noFront, pollInterval: 30 });
    const error = await client.queue.result(TRIPO_MULTIVIEW_ENDPOINT, { requestId: noFront }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'front_image_url'], type: 'missing' }] } });
  });

  it('reports a model validation error as 422 on the result, FAL style', async () => {
    const { client } = await start();
    const { request_id } = await client.queue.submit(TRIPO_ENDPOINT, { input: { image_url: 'https://v3.fal.media/files/none/x.png', texture: 'ultra' as never } });
    await client.queue.subscribeToStatus(TRIPO_ENDPOINT, { requestId: request_id, pollInterval: 30 });
    const error = await client.queue.result(TRIPO_ENDPOINT, { requestId: request_id }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'texture'], type: 'literal_error' }] } });
  });

  it('plays queued scenarios in order, one generation each with its retries, then the default', async () => {
    await start({ scenario: 'success' });
    fal.queueScenarios({ name: '429-then-success', times: 2 }, '401');
    // Plain fetch: the client would retry the 429s by itself (its queue calls always do).
    const submit = () =>
      fetch(`${fal.url}/${TRIPO_ENDPOINT}`, {
        method: 'POST',
        headers: { Authorization: 'Key k', 'Content-Type': 'application/json' },
        body: JSON.stringify({ image_url: 'https://v3.fal.media/files/none/x.png' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await submit()).status);
    expect(statuses).toEqual([429, 429, 200, 401, 200]);
    expect(fal.submits.map((s) => [s.scenario, s.accepted])).toEqual([
      ['429-then-success', false],
      ['429-then-success', false],
      ['429-then-success', true],
      ['401', false],
      ['success', true],
    ]);
    expect(() => fal.setScenario('nope' as never)).toThrow(/Unknown FAL emulator scenario/);
  });
});
